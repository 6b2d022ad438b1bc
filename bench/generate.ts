import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';

/**
 * Writes `<dir>/gen.yaml`: the POC environment (environments/poc.yaml) with `tenants` tenants, each owned by
 * its own created Entra group (so groups, memberships, role assignments and tenants all grow with N).
 */
export function writeGeneratedEnvironment(dir: string, tenants: number, base = path.join(__dirname, '..', 'environments', 'poc.yaml')): string {
  const env = parse(fs.readFileSync(base, 'utf8')) as Record<string, Record<string, unknown>>;
  const groups: Record<string, unknown> = { ...(env.entra.groups as Record<string, unknown>) };
  const tenantMap: Record<string, unknown> = {};
  for (let i = 1; i <= tenants; i++) {
    const name = `team${String(i).padStart(4, '0')}`;
    groups[name] = { displayName: `capsule-${name}` };
    tenantMap[name] = { owners: [{ group: name }] };
  }
  env.entra.groups = groups;
  env.entra.users = {};
  env.tenants = tenantMap;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'gen.yaml');
  fs.writeFileSync(file, stringify(env));
  return file;
}
