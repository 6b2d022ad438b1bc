import { Testing, TerraformStack } from 'cdktf';
import { KEY_VAULT_READER_ROLE, PublishedKubeconfig, PublishedKubeconfigProps } from '../constructs/published-kubeconfig';
import { ValidationError } from '../constructs/validation';
import { Json, resources, synthJson } from './helpers';

const VAULT_ID = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kubeconfigs';
const OWNERS = '33333333-3333-3333-3333-333333333333';

function synthPublished(props: Partial<PublishedKubeconfigProps> = {}): Json {
  const stack = new TerraformStack(Testing.app(), 'test');
  new PublishedKubeconfig(stack, 'published', {
    keyVaultId: VAULT_ID,
    secretName: 'kubeconfig-team-a',
    kubeconfig: 'apiVersion: "v1"\n',
    readers: { 'team-a': { objectId: OWNERS, type: 'Group' } },
    ...props,
  });
  return synthJson(stack);
}

describe('PublishedKubeconfig', () => {
  const json = synthPublished();

  test('the kubeconfig as a Key Vault secret, as given (already Terraform-ready text)', () => {
    expect(resources(json, 'azurerm_key_vault_secret')).toEqual([
      expect.objectContaining({ key_vault_id: VAULT_ID, name: 'kubeconfig-team-a', value: 'apiVersion: "v1"\n', content_type: expect.stringContaining('kubeconfig') }),
    ]);
  });

  test('readers get "Key Vault Secrets User" on that secret only (not on the vault)', () => {
    const key = Object.keys(json.resource.azurerm_key_vault_secret)[0];
    expect(resources(json, 'azurerm_role_assignment').map((a: Json) => [a.scope, a.role_definition_name, a.principal_id, a.principal_type])).toEqual([
      [`\${azurerm_key_vault_secret.${key}.resource_versionless_id}`, KEY_VAULT_READER_ROLE, OWNERS, 'Group'],
    ]);
    expect(KEY_VAULT_READER_ROLE).toBe('Key Vault Secrets User');
  });

  test.each([
    [{ secretName: 'Kubeconfig_A' }, /test\/published: secretName "Kubeconfig_A" is invalid: must be lowercase letters, digits and "-"/],
    [{ readers: { 'team-a': { objectId: 'owners' } } }, /principals\.team-a\.objectId "owners" is invalid: must be a GUID/],
  ])('rejects %j', (props, message) => {
    expect(() => synthPublished(props)).toThrow(ValidationError);
    expect(() => synthPublished(props)).toThrow(message);
  });
});
