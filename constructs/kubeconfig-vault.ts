import { Construct } from 'constructs';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { AksAccess } from './aks-access';
import { checkGuid, checkIntRange, checkPattern } from './validation';
import { terraformLiterals } from './terraform-literal';

/** Key Vault names: 3-24 letters, digits and "-", starting with a letter, not ending with "-", no "--". */
export const KEY_VAULT_NAME_RE = /^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;

/** Built-in role that writes secrets (data plane) of a vault in RBAC mode. */
export const KEY_VAULT_WRITER_ROLE = 'Key Vault Secrets Officer';

export interface KubeconfigVaultProps {
  /** Vault name (globally unique): 3-24 letters, digits and "-", starting with a letter. */
  readonly name: string;
  /** Azure region of the vault. */
  readonly location: string;
  /** Resource group of the vault (must exist). */
  readonly resourceGroupName: string;
  /** Entra ID tenant of the vault. */
  readonly tenantId: string;
  /** Object ID of the identity that writes the kubeconfigs (the one deploying the tenants stack). */
  readonly writerObjectId: string;
  /**
   * Seconds to wait after the writer's role assignment (Azure RBAC propagation) before secrets are written.
   * @default 300
   */
  readonly propagationWaitSeconds?: number;
  /**
   * Purge protection (a deleted vault cannot be purged before the retention ends; cannot be turned off again).
   * @default false
   */
  readonly purgeProtection?: boolean;
  /**
   * Soft-delete retention in days (7-90).
   * @default 7
   */
  readonly softDeleteRetentionDays?: number;
  /**
   * Terraform `prevent_destroy` on the vault.
   * @default false
   */
  readonly preventDestroy?: boolean;
  /** @default none */
  readonly tags?: Record<string, string>;
}

/**
 * An Azure Key Vault in RBAC mode where tenant kubeconfigs are published (they hold no credentials: kubelogin signs
 * in when kubectl runs). Only the writer gets a role on the whole vault; each tenant's owners get
 * "Key Vault Secrets User" on their tenant's secret (`PublishedKubeconfig`, published-kubeconfig.ts).
 */
export class KubeconfigVault extends Construct {
  public readonly vault: KeyVault;
  /** The writer's role assignment and its propagation wait. */
  public readonly writerAccess: AksAccess;
  public readonly name: string;

  constructor(scope: Construct, id: string, props: KubeconfigVaultProps) {
    super(scope, id);
    checkPattern(this, 'name', props.name, KEY_VAULT_NAME_RE, 'must be 3-24 letters, digits and "-", starting with a letter, not ending with "-" and without "--" (globally unique)');
    checkGuid(this, 'tenantId', props.tenantId);
    checkGuid(this, 'writerObjectId', props.writerObjectId);
    const retention = props.softDeleteRetentionDays ?? 7;
    checkIntRange(this, 'softDeleteRetentionDays', retention, 7, 90);
    this.name = props.name;
    this.vault = new KeyVault(this, 'vault', terraformLiterals(this, 'vault', {
      name: props.name,
      location: props.location,
      resourceGroupName: props.resourceGroupName,
      tenantId: props.tenantId,
      skuName: 'standard',
      // RBAC mode (not access policies): a role on one secret gives read access to that secret only.
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: props.purgeProtection ?? false,
      softDeleteRetentionDays: retention,
      tags: props.tags,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    }));
    this.writerAccess = new AksAccess(this, 'writer', {
      scope: this.vault,
      principals: { writer: { objectId: props.writerObjectId } },
      roles: [KEY_VAULT_WRITER_ROLE],
      propagationWaitSeconds: props.propagationWaitSeconds ?? 300,
    });
  }
}
