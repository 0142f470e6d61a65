// Route params behind auth.require(): Express infers them from the route's path, and
// auth.require() must not pin them to ParamsDictionary. test/types.route-params.test.ts
// compiles this file against the built declarations (dist/) with Express 5's types and with
// Express 4's, strict and with noUncheckedIndexedAccess (where a pinned `req.params.id` reads
// `string | string[] | undefined`). Each `@ts-expect-error` below is unused, and so an error,
// if the params fell back to a dictionary.
import express, { type Request, type RequestHandler } from 'express';
import { gatehouse, isAuthenticated, MemoryStore } from 'express-gatehouse';

const auth = gatehouse({ store: new MemoryStore() });
const app = express();
const router = express.Router();

// The path's params reach the handler after auth.require().
app.get('/v1/users/:id', auth.require(), (req, res) => {
  const id: string = req.params.id;
  // @ts-expect-error the path declares no :nope
  const nope: string = req.params.nope;
  res.json({ id, nope });
});

// With options, several params, other middleware in between, and on a router.
router.delete('/orgs/:org/members/:member', auth.require({ roles: ['admin'] }), express.json(), (req, res) => {
  const both: [string, string] = [req.params.org, req.params.member];
  // @ts-expect-error the path declares :member, not :id
  res.json({ both, id: req.params.id });
});
app.route('/v1/projects/:projectId').get(auth.require(), (req, res) => {
  const projectId: string = req.params.projectId;
  // @ts-expect-error the path declares :projectId, not :id
  res.json({ projectId, id: req.params.id });
});

// The type guard keeps the params as it narrows req.user.
app.get('/v1/teams/:team', auth.require(), (req, res) => {
  if (!isAuthenticated(req)) return;
  const team: string = req.params.team;
  const userId: string = req.user.id;
  // @ts-expect-error the path declares :team, not :id
  res.json({ team, userId, id: req.params.id });
});

// handler() takes the route's request type by name (it cannot see the path).
app.get(
  '/v1/accounts/:id',
  auth.require().handler<Request<{ id: string }>>((req, res) => {
    const id: string = req.params.id;
    // @ts-expect-error the named request type has no :nope
    res.json({ id, user: req.user.id, nope: req.params.nope });
  }),
);

// Still an ordinary Express middleware wherever one is taken.
const asHandler: RequestHandler = auth.require();
app.use(auth.require());
app.use('/v1/private', auth.require({ actors: ['user'] }));
router.use(auth.require(), asHandler);
app.use('/v1', router);
// @ts-expect-error a middleware takes a request, a response and next
auth.require()('not a request');
