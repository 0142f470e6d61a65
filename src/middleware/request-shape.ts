/**
 * Makes adding properties to an Express request cheap.
 *
 * Express (4 and 5) swaps every request's prototype (`Object.setPrototypeOf(req,
 * app.request)`). V8 then keeps no shared hidden class for what is added afterwards, so
 * each new property on each request builds a hidden class of its own: a few microseconds
 * apiece, for Express's own additions as for `req.user` and `req.authInfo`. An object in
 * V8's dictionary mode takes new properties as hash-table inserts instead.
 *
 * On an Express request the move is made by hiding `req.res` from enumeration and showing
 * it again: changing a property's attributes moves the object to dictionary mode without a
 * hidden class built on the way (about 1.6 KB a request). On any other request two symbol
 * properties are added and the first deleted, which builds two hidden classes first (about
 * 4 KB). Either way nothing the host can observe changes: every own property keeps its
 * value, its descriptor and its place in the key order.
 *
 * `bench/` measures this: the "Express floor" rows set `req.user` and `req.authInfo` on a
 * bare route with and without this step.
 */

/** Express's own `req.res` (set before it swaps the prototype), toggled to change the layout. */
const RESPONSE = 'res';
const HIDDEN: PropertyDescriptor = { enumerable: false };
const SHOWN: PropertyDescriptor = { enumerable: true };
const FIRST = Symbol('gatehouse.requestShape.first');
const SECOND = Symbol('gatehouse.requestShape.second');

/** Prepares `req` for the properties authentication is about to add (see the module note). */
export function prepareRequestForNewProperties(req: object): void {
  if (!Object.isExtensible(req)) return;
  const response = Object.getOwnPropertyDescriptor(req, RESPONSE);
  if (response?.configurable && response.enumerable && response.writable) {
    Object.defineProperty(req, RESPONSE, HIDDEN);
    Object.defineProperty(req, RESPONSE, SHOWN);
    return;
  }
  const slots = req as Record<symbol, unknown>;
  slots[FIRST] = undefined;
  slots[SECOND] = undefined;
  // Deleting a property other than the last one added is what switches the layout.
  delete slots[FIRST];
  delete slots[SECOND];
}
