import { Construct } from 'constructs';
import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import { AksAccess, AksAccessPrincipal } from './aks-access';
import { checkPattern, invalid, isUnresolved, RFC1123_LABEL_RE } from './validation';
import { terraformLiterals } from './terraform-literal';

/** Built-in role that reads the value of a secret (data plane); assigned on each published secret only. */
export const KEY_VAULT_READER_ROLE = 'Key Vault Secrets User';

export interface PublishedKubeconfigProps {
  /** Resource ID of the vault (a `KubeconfigVault`'s `vault.id`, possibly from another stack). */
  readonly keyVaultId: string;
  /** Secret name: lowercase letters, digits and "-" (e.g. `kubeconfig-<tenant>`). */
  readonly secretName: string;
  /** The kubeconfig YAML, ready for Terraform (as `TenantKubeconfig.yaml`: literal text escaped, tokens kept; see terraformLiterals). */
  readonly kubeconfig: string;
  /** Who may read it, by stable key (Entra groups and users: the tenant's owners). */
  readonly readers: Readonly<Record<string, AksAccessPrincipal>>;
}

/** A tenant kubeconfig as a Key Vault secret, readable by the tenant's owners only ("Key Vault Secrets User" on it). */
export class PublishedKubeconfig extends Construct {
  public readonly secret: KeyVaultSecret;
  public readonly readerAccess: AksAccess;

  constructor(scope: Construct, id: string, props: PublishedKubeconfigProps) {
    super(scope, id);
    checkPattern(this, 'secretName', props.secretName, RFC1123_LABEL_RE, 'must be lowercase letters, digits and "-"');
    if (!isUnresolved(props.secretName) && props.secretName.length > 127) invalid(this, 'secretName', props.secretName, 'must be at most 127 characters');
    this.secret = new KeyVaultSecret(this, 'secret', {
      ...terraformLiterals(this, 'secret', { keyVaultId: props.keyVaultId, name: props.secretName, contentType: 'application/yaml; kubeconfig without credentials (kubelogin)' }),
      // Terraform-ready text already (TenantKubeconfig.yaml escapes its literal parts): escaping it again would double "$".
      value: props.kubeconfig,
    });
    this.readerAccess = new AksAccess(this, 'readers', {
      // The secret itself: the owners of one tenant cannot read another tenant's kubeconfig.
      scope: this.secret.resourceVersionlessId,
      principals: props.readers,
      roles: [KEY_VAULT_READER_ROLE],
    });
  }
}
