/**
 * Makes adding properties to an Express request and its response cheap.
 *
 * Express (4 and 5) swaps every request's and response's prototype
 * (`Object.setPrototypeOf(req, app.request)`, the same for `res`). V8 then keeps no shared
 * hidden class for what happens to them afterwards, so each property added to one exchange,
 * and each field whose kind of value changes (`res._header` from `null` to a string, for one),
 * builds a hidden class of its own: microseconds apiece, for what Express and Node do to the
 * request and response as for `req.user` and `req.authInfo`. An object in V8's dictionary
 * mode takes such changes as hash-table writes instead.
 *
 * On an Express exchange the move is made through the two objects' references to each other,
 * which Express sets before it swaps the prototypes: `req.res` and `res.req` are each hidden
 * from enumeration and shown again. Changing a property's attributes moves the object to
 * dictionary mode without a hidden class built on the way (about 1.6 KB a request). A request
 * without such a `res`, about to take properties, gets two symbol properties, the first then
 * deleted, which builds two hidden classes first (about 4 KB). Either way nothing the host can
 * observe changes: every own property keeps its value, its descriptor and its place in the key
 * order.
 *
 * `bench/` measures this: the "Express floor" rows set `req.user` and `req.authInfo` on a
 * bare route without this step, after the request's step, and after the exchange's.
 */

const HIDDEN: PropertyDescriptor = { enumerable: false };
const SHOWN: PropertyDescriptor = { enumerable: true };
const FIRST = Symbol('gatehouse.requestShape.first');
const SECOND = Symbol('gatehouse.requestShape.second');

/**
 * Moves `object` to dictionary mode by hiding its own property `key` and showing it again,
 * when `key` is an own, enumerable, writable and configurable data property; false otherwise.
 */
function toDictionaryModeThrough(object: object, key: string): boolean {
  if (!Object.isExtensible(object)) return false;
  const own = Object.getOwnPropertyDescriptor(object, key);
  if (!(own?.configurable && own.enumerable && own.writable)) return false;
  Object.defineProperty(object, key, HIDDEN);
  Object.defineProperty(object, key, SHOWN);
  return true;
}

/**
 * Prepares an Express request and its response for what the rest of the exchange does to them
 * (see the module note), through Express's `req.res` and `res.req`. True when the request
 * moved; a request or response without that reference is left as it is.
 */
export function prepareExchangeForNewProperties(req: object, res: object): boolean {
  toDictionaryModeThrough(res, 'req');
  return toDictionaryModeThrough(req, 'res');
}

/** Prepares `req` for the properties authentication is about to add (see the module note). */
export function prepareRequestForNewProperties(req: object): void {
  if (!Object.isExtensible(req) || toDictionaryModeThrough(req, 'res')) return;
  const slots = req as Record<symbol, unknown>;
  slots[FIRST] = undefined;
  slots[SECOND] = undefined;
  // Deleting a property other than the last one added is what switches the layout.
  delete slots[FIRST];
  delete slots[SECOND];
}
