import { Annotations, TerraformResource, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment-config';
import { PROTECTED_RECORD_COMMENT, ProtectedEntry, ProtectedRecord, protectedRecordFile } from '../config/protected-record';

export { PROTECTED_RECORD_COMMENT, protectedRecordFile, protectedRecordSchema } from '../config/protected-record';
export type { ProtectedEntry, ProtectedRecord } from '../config/protected-record';
import { ValidationError } from '../constructs/validation';

/**
 * The record of a protected environment's protected resources (`environments/<env>.protected.json`, committed).
 *
 * Terraform's `prevent_destroy` acts only while a resource is still in the configuration: renaming a tenant key or
 * removing a tenant plans a destroy. At synth, the stacks of a protected environment are compared with its record:
 * - a recorded resource whose address changed but whose identity (tenant name, group display name, user UPN,
 *   cluster name …) is still there, in the same stack, gets a `moved` block from the recorded address (a rename
 *   Terraform can follow);
 * - a recorded resource that is gone (or changed stack) fails the synth, naming it, unless `policy.allowRemoval`
 *   lists its identity (a deliberate removal).
 * The record changes only through `npm run protected-record -- <env>` (scripts/protected-record.ts), never by synth.
 */

interface Current {
  readonly resource: TerraformResource;
  readonly stack: string;
  readonly address: string;
}

/** Identity of a protected resource, or undefined for resources that are not protected. */
function identity(r: TerraformResource): string | undefined {
  const input = r as unknown as Record<string, unknown>;
  switch (r.terraformResourceType) {
    case 'azurerm_kubernetes_cluster':
      return `cluster/${String(input.nameInput)}`;
    case 'azurerm_resource_group':
      return `resource-group/${String(input.nameInput)}`;
    case 'azuread_group':
      return `group/${String(input.displayNameInput)}`;
    case 'azuread_user':
      return `user/${String(input.userPrincipalNameInput).toLowerCase()}`;
    case 'kubernetes_manifest': {
      const m = input.manifestInput as { kind?: string; metadata?: { name?: string } } | undefined;
      // Tenants and their replication objects (Capsule kinds that carry tenant data or policy).
      if (m?.kind === 'Tenant' || m?.kind === 'GlobalTenantResource' || m?.kind === 'TenantResource') return `${m.kind.toLowerCase()}/${String(m.metadata?.name)}`;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The protected resources of an environment's stacks, by identity. */
export function protectedResources(stacks: readonly TerraformStack[]): Map<string, Current> {
  const out = new Map<string, Current>();
  for (const stack of stacks) {
    for (const node of stack.node.findAll() as IConstruct[]) {
      if (!TerraformResource.isTerraformResource(node)) continue;
      const id = identity(node);
      if (id === undefined) continue;
      out.set(id, { resource: node, stack: stack.node.id, address: `${node.terraformResourceType}.${stack.getLogicalId(node)}` });
    }
  }
  return out;
}

/** The record of the current configuration (what `npm run protected-record` writes), keeping renames' old addresses. */
export function currentRecord(env: EnvironmentConfig, stacks: readonly TerraformStack[]): ProtectedRecord {
  const old = env.protectedRecord?.resources ?? {};
  const resources: Record<string, ProtectedEntry> = {};
  for (const [id, c] of [...protectedResources(stacks)].sort(([a], [b]) => a.localeCompare(b))) {
    const was = old[id];
    const previous = was && was.stack === c.stack && was.address !== c.address ? was.address : was?.previous;
    resources[id] = { stack: c.stack, address: c.address, ...(previous !== undefined && previous !== c.address ? { previous } : {}) };
  }
  return { environment: env.name, comment: PROTECTED_RECORD_COMMENT, resources };
}

/**
 * Compares a protected environment's stacks with its record: writes `moved` blocks for renames, and throws a
 * {@link ValidationError} naming every recorded resource that would be dropped (not listed in policy.allowRemoval).
 */
export function applyProtectedRecord(env: EnvironmentConfig, stacks: readonly TerraformStack[]): void {
  if (!env.protected || stacks.length === 0) return;
  const file = `environments/${protectedRecordFile(env.name)}`;
  const record = env.protectedRecord;
  if (!record) {
    Annotations.of(stacks[0]).addWarning(
      `protected environment "${env.name}" has no record of its protected resources (${file}): a renamed or removed tenant, group, user or cluster is not caught at synth. Create it with: npm run protected-record -- ${env.name}`,
    );
    return;
  }
  const current = protectedResources(stacks);
  const allowed = new Set(env.policy?.allowRemoval ?? []);
  const problems: string[] = [];
  for (const [id, entry] of Object.entries(record.resources)) {
    const now = current.get(id);
    if (now && now.stack === entry.stack) {
      const from = now.address !== entry.address ? entry.address : entry.previous;
      if (from !== undefined && from !== now.address) now.resource.moveFromId(from);
      continue;
    }
    if (allowed.has(id)) continue;
    problems.push(
      now
        ? `${id} moved from stack ${entry.stack} to ${now.stack}: Terraform cannot move it between states, it would destroy it in ${entry.stack}`
        : `${id} (${entry.address} in ${entry.stack}) is no longer in the configuration: a deploy would destroy it`,
    );
  }
  for (const id of allowed) {
    if (!(id in record.resources)) Annotations.of(stacks[0]).addWarning(`policy.allowRemoval names "${id}", which is not in ${file}; remove it from the list`);
  }
  if (problems.length) {
    throw new ValidationError(
      `protected environment "${env.name}": ${problems.length} protected resource${problems.length === 1 ? '' : 's'} of ${file} would be dropped:\n` +
        problems.map((p) => `      - ${p}\n`).join('') +
        '    A rename Terraform can follow keeps the identity (tenant name, group display name, user UPN, cluster name) and changes only the key: the program then writes a moved block. ' +
        `To remove a resource on purpose, list it in policy.allowRemoval of environments/${env.name}.yaml (e.g. allowRemoval: [${Object.keys(record.resources).find((k) => !current.has(k)) ?? 'tenant/<name>'}]), ` +
        `deploy, then update the record with: npm run protected-record -- ${env.name}`,
    );
  }
}
