import { Testing, TerraformStack } from 'cdktf';
import { KEY_VAULT_WRITER_ROLE, KubeconfigVault, KubeconfigVaultProps } from '../constructs/kubeconfig-vault';
import { ValidationError } from '../constructs/validation';
import { Json, resources, synthJson } from './helpers';

const TENANT = '11111111-1111-1111-1111-111111111111';
const WRITER = '22222222-2222-2222-2222-222222222222';

function synthVault(props: Partial<KubeconfigVaultProps> = {}): Json {
  const stack = new TerraformStack(Testing.app(), 'test');
  new KubeconfigVault(stack, 'vault', { name: 'kubeconfigs-1a2b', location: 'francecentral', resourceGroupName: 'rg', tenantId: TENANT, writerObjectId: WRITER, ...props });
  return synthJson(stack);
}

describe('KubeconfigVault', () => {
  const json = synthVault();
  const [vault] = resources(json, 'azurerm_key_vault');

  test('a standard vault in RBAC mode (a role on one secret reads that secret only)', () => {
    expect(vault).toMatchObject({ name: 'kubeconfigs-1a2b', location: 'francecentral', resource_group_name: 'rg', tenant_id: TENANT, sku_name: 'standard', rbac_authorization_enabled: true });
  });

  test('defaults: no purge protection, 7 days soft-delete retention, no prevent_destroy', () => {
    expect(vault.purge_protection_enabled).toBe(false);
    expect(vault.soft_delete_retention_days).toBe(7);
    expect(vault.lifecycle).toBeUndefined();
  });

  test('only the writer gets a role on the whole vault, followed by a 300 s propagation wait', () => {
    const key = Object.keys(json.resource.azurerm_key_vault)[0];
    const assignments = resources(json, 'azurerm_role_assignment');
    expect(assignments.map((a: Json) => [a.scope, a.role_definition_name, a.principal_id])).toEqual([[`\${azurerm_key_vault.${key}.id}`, KEY_VAULT_WRITER_ROLE, WRITER]]);
    expect(resources(json, 'time_sleep').map((t: Json) => t.create_duration)).toEqual(['300s']);
  });

  test('purgeProtection, softDeleteRetentionDays, preventDestroy and propagationWaitSeconds are passed on', () => {
    const j = synthVault({ purgeProtection: true, softDeleteRetentionDays: 90, preventDestroy: true, propagationWaitSeconds: 60 });
    expect(resources(j, 'azurerm_key_vault')[0]).toMatchObject({ purge_protection_enabled: true, soft_delete_retention_days: 90, lifecycle: { prevent_destroy: true } });
    expect(resources(j, 'time_sleep')[0].create_duration).toBe('60s');
  });

  test.each([
    [{ name: 'kv--double' }, /test\/vault: name "kv--double" is invalid: must be 3-24 letters/],
    [{ name: '1kv' }, /name "1kv" is invalid/],
    [{ tenantId: 'contoso' }, /tenantId "contoso" is invalid: must be a GUID/],
    [{ writerObjectId: 'me' }, /writerObjectId "me" is invalid: must be a GUID/],
    [{ softDeleteRetentionDays: 6 }, /softDeleteRetentionDays 6 is invalid/],
    [{ softDeleteRetentionDays: 91 }, /softDeleteRetentionDays 91 is invalid/],
  ])('rejects %j', (props, message) => {
    expect(() => synthVault(props)).toThrow(ValidationError);
    expect(() => synthVault(props)).toThrow(message);
  });
});
