/**
 * Makes adding properties to an Express request cheap.
 *
 * Express (4 and 5) swaps every request's prototype (`Object.setPrototypeOf(req,
 * app.request)`). V8 then keeps no shared hidden class for what is added afterwards, so
 * each new property on each request builds a hidden class of its own: a few microseconds
 * apiece, for Express's own additions as for `req.user` and `req.authInfo`. An object in
 * V8's dictionary mode takes new properties as hash-table inserts instead. Adding two
 * properties and deleting the first of them is what moves an object to dictionary mode;
 * both are gone again afterwards, so nothing about the request changes but its layout.
 *
 * `bench/` measures this: the "Express floor" rows set `req.user` and `req.authInfo` on a
 * bare route with and without this step.
 */

const FIRST = Symbol('gatehouse.requestShape.first');
const SECOND = Symbol('gatehouse.requestShape.second');

/** Prepares `req` for the properties authentication is about to add (see the module note). */
export function prepareRequestForNewProperties(req: object): void {
  if (!Object.isExtensible(req)) return;
  const slots = req as Record<symbol, unknown>;
  slots[FIRST] = undefined;
  slots[SECOND] = undefined;
  // Deleting a property other than the last one added is what switches the layout.
  delete slots[FIRST];
  delete slots[SECOND];
}
