import { TerraformStack, Testing } from 'cdktf';
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { AksAccess } from '../constructs/aks-access';
import { EntraDirectory } from '../constructs/entra-directory';
import { joinedId } from '../constructs/validation';
import { ClusterStack } from '../stacks/cluster-stack';
import { baseEnv, envFrom, Json, problemsOf, resources, synthJson } from './helpers';

/** Access goes to the principal that was named, never to another one whose key or ID happens to coincide. */

describe('keys are unique across groups and users', () => {
  test('environment file: a user key equal to a group key is refused, naming both places', () => {
    const e = baseEnv() as Json;
    e.entra.users.staging = { memberOf: ['dev'] };
    expect(problemsOf(e)).toEqual([expect.stringMatching(/^test\.yaml:\d+: entra\.users\.staging: "staging" is also a key of entra\.groups \(entra\.groups\.staging\); keys must be unique across groups and users/)]);
  });

  test('environment file: keys starting with "ext-" (the external owners\' keys) are refused', () => {
    const e = baseEnv() as Json;
    e.entra.groups['ext-group-x'] = { displayName: 'x' };
    expect(problemsOf(e)).toEqual([expect.stringMatching(/entra\.groups\.ext-group-x: "ext-group-x" must not start with "ext-"/)]);
  });

  test('EntraDirectory (library): a user key equal to a group key is refused', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    expect(() => new EntraDirectory(stack, 'entra', { groups: { staging: { displayName: 'g' } }, users: { staging: { userPrincipalName: 's@contoso.com' } } })).toThrow(
      /s\/entra: users\.staging "staging" is invalid: is also a key of groups \(groups\.staging\); keys must be unique across groups and users/,
    );
  });
});

describe('construct IDs are injective', () => {
  test('joinedId: different parts never give one ID; plain keys keep the readable form', () => {
    expect(joinedId('a', 'b--c')).not.toBe(joinedId('a--b', 'c'));
    expect(joinedId('dev', 'capsule')).toBe('dev--capsule');
    expect(joinedId('a', 'b--c')).toMatch(/^a--b--c-[0-9a-f]{16}$/);
    const samples = ['a', 'b', 'a-b', 'a--b', 'b--c', 'c', '-a', 'a-', 'b-', '-b'];
    const ids = new Map<string, string>();
    for (const x of samples) for (const y of samples) {
      const id = joinedId(x, y);
      expect([id, ids.get(id) ?? `${x}|${y}`]).toEqual([id, `${x}|${y}`]);
      ids.set(id, `${x}|${y}`);
    }
  });

  test('memberships a -> b--c and a--b -> c are both created', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    new AzureadProvider(stack, 'azuread', {});
    new EntraDirectory(stack, 'entra', {
      groups: { a: { displayName: 'a' }, 'a--b': { displayName: 'ab' }, 'b--c': { displayName: 'bc' }, c: { displayName: 'c' } },
      memberships: [
        { group: 'a', member: 'b--c' },
        { group: 'a--b', member: 'c' },
      ],
    });
    expect(resources(synthJson(stack), 'azuread_group_member')).toHaveLength(2);
  });

  test('AksAccess: two principals and roles that would give one construct ID are refused, not merged', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    expect(
      () =>
        new AksAccess(stack, 'access', {
          scope: '/subscriptions/x',
          principals: { a: { objectId: '11111111-1111-1111-1111-111111111111' }, 'a-reader': { objectId: '22222222-2222-2222-2222-222222222222' } },
          roles: ['Reader', 'Reader Reader'],
        }),
    ).toThrow(/gives the same construct ID "a-reader-reader"/);
  });
});

describe('external owners by UPN stay apart', () => {
  test('bob.smith@ and bob-smith@ are both looked up and both get the AKS roles', () => {
    const e = baseEnv() as Json;
    e.tenants.dev.owners = [{ userPrincipalName: 'bob.smith@contoso.onmicrosoft.com' }, { userPrincipalName: 'bob-smith@contoso.onmicrosoft.com' }];
    const json = synthJson(new ClusterStack(Testing.app(), 'poc-cluster', { env: envFrom(e, 'poc') }));
    const users = Object.values<Json>(json.data?.azuread_user ?? {});
    expect(users.map((u: Json) => u.user_principal_name).sort()).toEqual(['bob-smith@contoso.onmicrosoft.com', 'bob.smith@contoso.onmicrosoft.com']);
    const assignments = resources(json, 'azurerm_role_assignment').map((r: Json) => r.principal_id).filter((id: string) => /data\.azuread_user\./.test(id));
    expect(new Set(assignments).size).toBe(2);
    expect(assignments).toHaveLength(4); // Reader + AKS Cluster User Role, each
  });

  test('the same UPN in another case is the same user (Entra ID UPNs are case-insensitive)', () => {
    const e = baseEnv() as Json;
    e.tenants.dev.owners = [{ userPrincipalName: 'Bob@contoso.onmicrosoft.com' }];
    e.tenants.staging.owners = [{ userPrincipalName: 'bob@contoso.onmicrosoft.com' }];
    const json = synthJson(new ClusterStack(Testing.app(), 'poc-cluster', { env: envFrom(e, 'poc') }));
    expect(Object.keys(json.data?.azuread_user ?? {})).toHaveLength(1);
  });
});
