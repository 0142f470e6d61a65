/**
 * `auth.openapiSecurity({ schemes, scopes })` describes a host route guarded by
 * `auth.require({ schemes, scopes })`: OAuth2-style scope lists on the security requirement of
 * every scheme that is on and allowed; the document it goes into validates.
 */
import { gatehouse, MemoryStore } from '../src';
import { runEsmHelper } from './helpers/esm';
import { JWT_OPTIONS } from './helpers/jwt';
import { thrownBy } from './helpers/thrown';

const validate = (document: unknown) => runEsmHelper<{ valid: boolean; error?: string }>('openapi-validate.mjs', document);

describe('auth.openapiSecurity()', () => {
  const auth = gatehouse({ store: new MemoryStore({ passwordCost: 10 }), jwt: JWT_OPTIONS });

  it("lists the route's scopes on each allowed scheme's requirement, and the document validates", async () => {
    const fragment = auth.openapi({ mountPath: '/v1' });
    const security = auth.openapiSecurity({ scopes: ['reports:read'] });
    const names = Object.keys(fragment.components.securitySchemes);
    expect(security).toEqual(names.map((name) => ({ [name]: ['reports:read'] })));
    expect(names).toEqual(expect.arrayContaining(['apiKey', 'apiKeyQuery']));

    const apiKeyOnly = auth.openapiSecurity({ schemes: ['apiKey'], scopes: ['reports:read', 'reports:write'] });
    expect(apiKeyOnly).toEqual([{ apiKey: ['reports:read', 'reports:write'] }, { apiKeyQuery: ['reports:read', 'reports:write'] }]);
    expect(auth.openapiSecurity()).toEqual(names.map((name) => ({ [name]: [] })));

    const document = {
      openapi: '3.1.0',
      info: { title: 'Reports API', version: '1.0.0' },
      paths: {
        ...fragment.paths,
        '/v1/reports': {
          get: {
            security: apiKeyOnly,
            responses: { 200: { description: 'The reports' }, 403: { description: 'A scope is missing (403.5)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/GatehouseProblem' } } } } },
          },
        },
      },
      components: fragment.components,
    };
    expect(await validate(document)).toEqual({ valid: true, openapi: '3.1.0' });
  });

  it('refuses what require() would refuse', () => {
    expect(thrownBy(() => auth.openapiSecurity({ scopes: ['has space'] }))).toMatchObject({ code: 'GATEHOUSE_INVALID_OPTION', option: 'scopes' });
    expect(thrownBy(() => auth.openapiSecurity({ schemes: ['oauth' as never] }))).toMatchObject({ code: 'GATEHOUSE_INVALID_OPTION', option: 'schemes' });
  });
});
