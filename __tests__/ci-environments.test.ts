import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { format } from 'util';
import { parse, stringify } from 'yaml';
import { loadEnvironments } from '../config/load';
import { ciPlan, cli, refusal, runnerProblems, StackJob, stages } from '../scripts/ci-environments';
import { baseEnv, ENV_DIR, Json, renamedEnv } from './helpers';

const ROOT = path.resolve(__dirname, '..');
const WORKFLOWS = path.join(ROOT, '.github', 'workflows');

function run(file: string, ...args: string[]) {
  return spawned(undefined, file, ...args);
}

/** The environment variables of a run with CAPSULE_AKS_ENVIRONMENTS=envDir (the bundled environments when undefined). */
function envFor(envDir: string | undefined, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (envDir) env.CAPSULE_AKS_ENVIRONMENTS = envDir;
  else delete env.CAPSULE_AKS_ENVIRONMENTS;
  return env;
}

/** Runs a script as the workflows do, in a node process of its own. */
function spawned(envDir: string | undefined, file: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', file), ...args], { cwd: ROOT, encoding: 'utf8', env: envFor(envDir) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * scripts/ci-environments.ts's command line run in this process (its `cli`, which the script runs when started; one
 * test starts it as a process): exit code and what it printed.
 */
function ciIn(envDir: string | undefined, ...args: string[]) {
  return ciCommand(envFor(envDir), ...args);
}

function ciCommand(env: NodeJS.ProcessEnv, ...args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void stdout.push(`${format(...a)}\n`));
  const error = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void stderr.push(`${format(...a)}\n`));
  try {
    return { status: cli(args, env), stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** The bundled environments with production's placeholder IDs replaced by real-looking ones (what a user deploys). */
function deployableEnvironments(extra: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-envs-'));
  let n = 0;
  const prod = fs.readFileSync(path.join(ENV_DIR, 'production.yaml'), 'utf8').replace(/\b([0-9a-f])\1{7}-\1{4}-\1{4}-\1{4}-\1{12}\b/g, () => `3f2b1c4d-5e6f-4a1b-9c2d-${String(++n).padStart(12, '7')}`);
  fs.writeFileSync(path.join(dir, 'production.yaml'), prod);
  fs.copyFileSync(path.join(ENV_DIR, 'production.protected.json'), path.join(dir, 'production.protected.json'));
  fs.copyFileSync(path.join(ENV_DIR, 'poc.yaml'), path.join(dir, 'poc.yaml'));
  for (const [file, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const workflow = (name: string): any => parse(fs.readFileSync(path.join(WORKFLOWS, name), 'utf8'));

describe('CI guard: remote state is required', () => {
  test('the guard refuses the poc environment (local backend) with exit 1 and a message that says why and what to do (the script started as the workflows start it)', () => {
    const r = spawned(undefined, 'ci-environments.ts', 'check', 'poc');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('::error title=Environment refused::environment "poc" uses the local Terraform backend');
    expect(r.stderr).toContain('Set state.backend: azurerm in environments/poc.yaml');
    expect(r.stderr).toContain('CI_ENVIRONMENTS');
  });

  test('the guard accepts the production environment (azurerm backend) once its IDs are real', () => {
    const r = ciIn(deployableEnvironments(), 'check', 'production');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('OK: production uses remote state and no placeholder IDs');
    expect(r.status).toBe(0);
  });

  test('a protected environment whose record is missing or out of date is refused with what to run', () => {
    const dir = deployableEnvironments();
    const file = path.join(dir, 'production.yaml');
    const data = parse(fs.readFileSync(file, 'utf8'));
    data.tenants.extra = { ...data.tenants.search, ingressOptions: { ...data.tenants.search.ingressOptions, allowedHostnames: ['extra.example.com'] } };
    fs.writeFileSync(file, stringify(data));
    const stale = ciIn(dir, 'check', 'production');
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(/^::error title=Environment refused::environment "production": \S*production\.protected\.json is out of date: tenant\/extra is not recorded .* Record the change with: npm run protected-record -- production/m);
    fs.rmSync(path.join(dir, 'production.protected.json'));
    const missing = ciIn(dir, 'check', 'production');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/\S*production\.protected\.json is missing: \S*production\.yaml is protected, .*npm run protected-record -- production/);
  });

  test('placeholder IDs (all-zero or one repeated digit) refuse production.yaml as bundled, naming each field', () => {
    const r = ciIn(undefined, 'check', 'production');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('::error title=Environment refused::environment "production" still has placeholder IDs');
    expect(r.stderr).toContain('azure.subscriptionId: 00000000-0000-0000-0000-000000000000');
    expect(r.stderr).toContain('entra.groups.platform-admins.objectId: 11111111-1111-1111-1111-111111111111');
    expect(r.stderr).toContain('entra.groups.team-search.objectId: 44444444-4444-4444-4444-444444444444');
    expect(r.stderr).not.toContain('local Terraform backend');
  });

  test('a real GUID that merely contains repeated digits is not a placeholder', () => {
    const prod = loadEnvironments(deployableEnvironments()).find((e) => e.name === 'production')!;
    expect(refusal(prod)).toBeUndefined();
    expect(refusal({ ...prod, azure: { subscriptionId: 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaab' } } as typeof prod)).toBeUndefined();
    expect(refusal({ ...prod, azure: { subscriptionId: 'AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA' } } as typeof prod)).toContain('azure.subscriptionId: AAAAAAAA');
  });

  test('an environment without a state section is refused too (local is the default)', () => {
    const poc = loadEnvironments(ENV_DIR).find((e) => e.name === 'poc');
    expect(refusal({ ...poc!, state: undefined })).toContain('state.backend: local, the default');
  });
});

describe('CI plan (the matrices of the workflows)', () => {
  const dir = deployableEnvironments();
  const envs = loadEnvironments(dir);
  // The real command, as the workflows run it: key=JSON lines for $GITHUB_OUTPUT.
  const r = ciIn(dir, 'plan');
  const out = Object.fromEntries(r.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), JSON.parse(l.slice(l.indexOf('=') + 1))]));

  test('the plan command prints the three matrices as $GITHUB_OUTPUT lines', () => {
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(Object.keys(out)).toEqual(['environments', 'stacks', 'refused']);
  });

  test('environments with local state are refused with the reason, the others deployed', () => {
    expect(out.refused.map((x: { env: string }) => x.env)).toEqual(['poc']);
    expect(out.refused[0].reason).toContain('uses the local Terraform backend');
    expect(out.environments).toEqual([{ env: 'production', stacks: 'production-cluster production-capsule production-tenants' }]);
  });

  test('an environment with placeholder IDs is refused by the plan too (the bundled production.yaml)', () => {
    const bundled = ciPlan(loadEnvironments(ENV_DIR));
    expect(bundled.environments).toEqual([]);
    expect(bundled.refused.map((x) => x.env)).toEqual(['poc', 'production']);
    expect(bundled.refused[1].reason).toContain('placeholder IDs');
  });

  test('every synthesized stack of a CI environment gets a diff job, with its dependencies and their state blobs', () => {
    const byName = Object.fromEntries((out.stacks as StackJob[]).map((s) => [s.stack, s]));
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['production-cluster', 'production-capsule']));
    expect(out.stacks.every((s: StackJob) => s.env === 'production')).toBe(true);
    expect(byName['production-cluster']).toMatchObject({ dependencies: '', dependencyState: '' });
    expect(byName['production-capsule'].dependencies.split(' ')).toContain('production-cluster');
    expect(byName['production-capsule'].dependencyState.split(' ')).toContain('capsuletfstateprod/tfstate/capsule/production-cluster.tfstate');
  });

  test('pull requests (--skip-protected) leave protected environments out: the pull-request identity has no access to them', () => {
    expect(envs.find((e) => e.name === 'production')?.protected).toBe(true);
    expect(ciPlan(envs).stacks.some((s) => s.env === 'production')).toBe(true);
    const pr = ciPlan(envs, [], true);
    expect(pr.stacks.some((s) => s.env === 'production')).toBe(false);
    expect(pr.environments.map((e) => e.env)).not.toContain('production');
    expect(workflow('diff.yml').jobs.test.steps.map((s: { run?: string }) => s.run ?? '').join('\n')).toMatch(/ci-environments\.ts plan [^\n]*--skip-protected/);
  });

  test('CI_ENVIRONMENTS restricts the environments, and an unknown name is an error', () => {
    expect(ciPlan(envs, ['poc'])).toMatchObject({ environments: [], stacks: [], refused: [{ env: 'poc' }] });
    expect(() => ciPlan(envs, ['prod'])).toThrow('"prod" is not an environment; known: poc, production');
  });
});

describe("one environment's stacks, when another environment's name starts with its name and \"-\"", () => {
  // poc-eu: the POC elsewhere (its own names), both with remote state. 'poc-*' would select poc-eu-* too.
  const pocEu = renamedEnv('poc-eu');
  pocEu.location = 'westeurope';
  const remote = (e: Json) => ({
    ...e,
    state: { backend: 'azurerm', resourceGroupName: 'tfstate', storageAccountName: 'capsuletfstate', containerName: 'tfstate' },
    access: { ...e.access, clusterAdminPrincipalId: '3f2b1c4d-5e6f-4a1b-9c2d-000000000042' },
  });
  const dir = deployableEnvironments({ 'poc.yaml': stringify(remote(baseEnv())), 'poc-eu.yaml': stringify(remote(pocEu)) });

  test('`stacks poc` prints exactly poc\'s stacks in deployment order, and `stacks poc-eu` poc-eu\'s', () => {
    const poc = ciIn(dir, 'stacks', 'poc');
    expect(poc.stderr).toBe('');
    expect(poc.stdout).toBe('poc-cluster poc-capsule poc-tenants\n');
    expect(ciIn(dir, 'stacks', 'poc-eu').stdout).toBe('poc-eu-cluster poc-eu-capsule poc-eu-tenants\n');
  });

  test('the plan gives each environment only its own stacks (deploy list and diff jobs)', () => {
    const plan = ciPlan(loadEnvironments(dir));
    const poc = plan.environments.find((e) => e.env === 'poc')!;
    expect(poc.stacks).toBe('poc-cluster poc-capsule poc-tenants');
    expect(plan.stacks.filter((s) => s.env === 'poc').map((s) => s.stack)).toEqual(['poc-cluster', 'poc-capsule', 'poc-tenants']);
    expect(plan.stacks.filter((s) => s.env === 'poc-eu').map((s) => s.stack)).toEqual(['poc-eu-cluster', 'poc-eu-capsule', 'poc-eu-tenants']);
  });

  test('an unknown environment is one clear line and exit 1', () => {
    const r = ciIn(dir, 'stacks', 'poc-');
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toBe('  - "poc-" is not an environment; known: poc-eu, poc, production');
  });
});

describe('GitHub workflows', () => {
  test('actionlint passes the workflows and reports a broken one with file, line and message (the lint is not a no-op)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-'));
    for (const f of fs.readdirSync(WORKFLOWS)) fs.copyFileSync(path.join(WORKFLOWS, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, 'bad.yml'), 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n');
    const r = run('lint-workflows.ts', dir);
    fs.rmSync(dir, { recursive: true });
    expect(r.status).toBe(1);
    const findings = r.stderr.trim().split('\n');
    expect(findings[0]).toMatch(/bad\.yml:6:\d+: property "nope" is not defined/);
    expect(findings.slice(1)).toEqual(['actionlint: 1 problem(s) in 3 workflow file(s)']);
  });

  test('pull requests: npm ci, npm test, OIDC login with the read-only plan identity, kubelogin, cdktf diff per stack into the job summary', () => {
    const wf = workflow('diff.yml');
    expect(Object.keys(wf.on)).toEqual(['pull_request']);
    const test = wf.jobs.test.steps.map((s: { run?: string }) => s.run).join('\n');
    expect(test).toMatch(/npm ci[\s\S]*npm test[\s\S]*ci-environments\.ts plan/);
    const diff = wf.jobs.diff;
    expect(diff.permissions['id-token']).toBe('write');
    expect(diff.strategy.matrix.include).toBe('${{ fromJSON(needs.test.outputs.stacks) }}');
    expect(diff.env).toMatchObject({ ARM_USE_OIDC: 'true', ARM_CLIENT_ID: '${{ vars.AZURE_PR_CLIENT_ID }}', ARM_TENANT_ID: '${{ vars.AZURE_TENANT_ID }}', ARM_SUBSCRIPTION_ID: '${{ vars.AZURE_SUBSCRIPTION_ID }}', TF_CLI_ARGS_plan: '-lock=false' });
    const login = diff.steps.find((s: { uses?: string }) => s.uses?.startsWith('azure/login@'));
    expect(login.with['client-id']).toBe('${{ vars.AZURE_PR_CLIENT_ID }}');
    const runs = diff.steps.map((s: { run?: string }) => s.run ?? '').join('\n');
    expect(runs).toContain('ci-environments.ts check');
    expect(runs).toContain('npx cdktf diff "${{ matrix.stack }}"');
    expect(runs).toContain('not deployed yet');
    expect(runs).toContain('$GITHUB_STEP_SUMMARY');
  });

  test('pull requests never reach the deploy identity: no job of diff.yml runs in a GitHub environment or names AZURE_CLIENT_ID', () => {
    const wf = workflow('diff.yml');
    for (const [name, job] of Object.entries<Json>(wf.jobs)) expect({ name, environment: job.environment }).toEqual({ name, environment: undefined });
    expect(fs.readFileSync(path.join(WORKFLOWS, 'diff.yml'), 'utf8')).not.toMatch(/vars\.AZURE_CLIENT_ID|secrets\./);
  });

  test('deploy: per stage, the plan identity plans and uploads the plan encrypted; the environment approves; the deploy identity applies that plan', () => {
    const wf = workflow('deploy.yml');
    expect(wf.on.push.branches).toEqual(['main']);
    expect(wf.on.workflow_dispatch.inputs.environment).toBeDefined();
    expect(wf.concurrency).toEqual({ group: 'deploy', 'cancel-in-progress': false });
    const planRun = wf.jobs.environments.steps.map((s: { run?: string }) => s.run ?? '').join('\n');
    const stageCount = Number(/--stages (\d+)/.exec(planRun)![1]);
    expect(Object.keys(wf.jobs.environments.outputs).filter((k) => k.startsWith('stage'))).toHaveLength(stageCount);
    for (let n = 1; n <= stageCount; n++) {
      const plan = wf.jobs[`plan-${n}`];
      const apply = wf.jobs[`apply-${n}`];
      expect(plan.environment).toBeUndefined();
      expect(plan.env.ARM_CLIENT_ID).toBe('${{ vars.AZURE_PLAN_CLIENT_ID }}');
      expect(plan.strategy.matrix.include).toBe(`\${{ fromJSON(needs.environments.outputs.stage${n}) }}`);
      expect(plan.needs).toEqual(n === 1 ? 'environments' : ['environments', `apply-${n - 1}`]);
      const planText = plan.steps.map((s: { run?: string }) => s.run ?? '').join('\n');
      expect(planText).toMatch(/terraform plan .*-out=tfplan/);
      expect(planText).toContain('$GITHUB_STEP_SUMMARY');
      expect(planText).toMatch(/openssl enc -aes-256-cbc[\s\S]*openssl pkeyutl -encrypt -pubin/);
      const upload = plan.steps.find((s: { uses?: string }) => s.uses?.startsWith('actions/upload-artifact@'));
      expect(String(upload.with.path).trim().split('\n').every((p: string) => p.trim().endsWith('.enc'))).toBe(true);
      // A re-run is the same run: one artifact per attempt (else the re-plan's upload conflicts with the old one), and
      // the apply downloads its own attempt's plan only (never an older plan than the one shown with it).
      const download = apply.steps.find((s: { uses?: string }) => s.uses?.startsWith('actions/download-artifact@'));
      expect({ upload: upload.with.name, download: download.with.name }).toEqual({
        upload: 'plan-${{ matrix.stack }}-attempt-${{ github.run_attempt }}',
        download: 'plan-${{ matrix.stack }}-attempt-${{ github.run_attempt }}',
      });
      expect(apply.environment).toBe('${{ matrix.env }}');
      expect(apply.needs).toEqual(['environments', `plan-${n}`]);
      expect(apply.env.ARM_CLIENT_ID).toBe('${{ vars.AZURE_CLIENT_ID }}');
      const applyText = apply.steps.map((s: { run?: string }) => s.run ?? '').join('\n');
      expect(applyText).toMatch(/terraform apply -input=false -no-color tfplan/);
      expect(applyText).not.toMatch(/npm |npx |cdktf /);
    }
    expect(wf.jobs[`plan-${stageCount + 1}`]).toBeUndefined();
  });

  test('every third-party action is pinned to a full commit SHA with its version in a comment', () => {
    for (const f of fs.readdirSync(WORKFLOWS)) {
      const lines = fs.readFileSync(path.join(WORKFLOWS, f), 'utf8').split('\n').filter((l) => /^\s*(-\s*)?uses:/.test(l));
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) expect({ f, l, pinned: /uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/.test(l.trim().replace(/^-\s*/, '')) }).toEqual({ f, l, pinned: true });
    }
  });

  test('every job that can obtain an Azure token installs without install scripts; pull-request jobs run on the PR pool, deploy jobs on the deploy pool', () => {
    const pools: Record<string, string> = {
      'diff.yml': "${{ fromJSON(vars.PR_RUNNERS || '{}')[matrix.env] || vars.PR_RUNNER || 'ubuntu-latest' }}",
      'deploy.yml': "${{ fromJSON(vars.DEPLOY_RUNNERS || '{}')[matrix.env] || vars.DEPLOY_RUNNER || 'ubuntu-latest' }}",
    };
    expect(fs.readdirSync(WORKFLOWS).sort()).toEqual(Object.keys(pools).sort());
    for (const f of fs.readdirSync(WORKFLOWS)) {
      for (const [name, job] of Object.entries<Json>(workflow(f).jobs)) {
        if (job.permissions?.['id-token'] !== 'write') continue;
        const runs = (job.steps as { run?: string }[]).map((s) => s.run ?? '').filter((r) => /npm (ci|install)/.test(r));
        for (const r of runs) expect({ f, name, r, ignoreScripts: r.includes('--ignore-scripts') }).toEqual({ f, name, r, ignoreScripts: true });
        expect({ f, name, runsOn: job['runs-on'] }).toEqual({ f, name, runsOn: pools[f] });
      }
      // Both workflows check the runner variables before any job that gets a token.
      const first = Object.values<Json>(workflow(f).jobs)[0];
      expect(first.steps.some((st: { run?: string }) => st.run === 'node --import tsx scripts/ci-environments.ts runners')).toBe(true);
    }
    expect(fs.readFileSync(path.join(WORKFLOWS, 'diff.yml'), 'utf8')).not.toMatch(/runs-on: .*DEPLOY_RUNNER/);
    expect(fs.readFileSync(path.join(WORKFLOWS, 'deploy.yml'), 'utf8')).not.toMatch(/runs-on: .*PR_RUNNER/);
  });

  test('runners: a self-hosted label serving pull requests and deploys is refused; GitHub-hosted labels (a fresh VM per job) may be shared', () => {
    expect(runnerProblems({})).toEqual([]);
    expect(runnerProblems({ PR_RUNNER: 'ubuntu-24.04', DEPLOY_RUNNERS: '{"production": "aks-prod-deploy"}' })).toEqual([]);
    expect(runnerProblems({ PR_RUNNER: 'aks-prod', DEPLOY_RUNNERS: '{"production": "aks-prod"}' })).toEqual([
      'runner label "aks-prod" serves pull-request jobs (PR_RUNNER) and deploy jobs (DEPLOY_RUNNERS.production): code from a pull request would run on the machines where the deploy identity runs. Give the deploy jobs their own self-hosted pool (README, "CI/CD")',
    ]);
    expect(runnerProblems({ PR_RUNNERS: '{"poc": "lab"}', DEPLOY_RUNNER: 'lab' })[0]).toMatch(/"lab" serves pull-request jobs \(PR_RUNNERS\.poc\) and deploy jobs \(DEPLOY_RUNNER\)/);
    expect(runnerProblems({ DEPLOY_RUNNERS: '["x"]' })[0]).toMatch(/DEPLOY_RUNNERS must be a JSON object of environment name to runner label/);
    // A generic label matches every self-hosted runner, the other pool's too (runs-on picks any runner with the label).
    expect(runnerProblems({ PR_RUNNER: 'self-hosted', DEPLOY_RUNNER: 'aks-deploy' })).toEqual([
      'runner label "self-hosted" (PR_RUNNER) is a generic label every self-hosted runner carries: pull-request jobs would also run on the deploy runners ("aks-deploy", DEPLOY_RUNNER). Use a label only the pull-request pool has (README, "CI/CD")',
    ]);
    expect(runnerProblems({ PR_RUNNERS: '{"poc": "Linux"}', DEPLOY_RUNNERS: '{"production": "aks-prod-deploy"}' })[0]).toMatch(/"Linux" \(PR_RUNNERS\.poc\) is a generic label/);
    expect(runnerProblems({ PR_RUNNER: 'aks-pr', DEPLOY_RUNNER: 'x64' })[0]).toMatch(/"x64" \(DEPLOY_RUNNER\) is a generic label every self-hosted runner carries: deploy jobs would also run on the pull-request runners/);
    expect(runnerProblems({ PR_RUNNER: 'self-hosted' })).toEqual([]);
    expect(runnerProblems({ CI_RUNNER: 'aks' })[0]).toMatch(/CI_RUNNER is no longer read: .*set PR_RUNNER \/ PR_RUNNERS and DEPLOY_RUNNER \/ DEPLOY_RUNNERS/);
    const r = ciCommand(envFor(undefined, { PR_RUNNER: 'shared', DEPLOY_RUNNER: 'shared' }), 'runners');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^::error title=Runners::runner label "shared" serves pull-request jobs/);
  });

  test('apply: the decrypted plan lives in $RUNNER_TEMP only and an always() step removes it; plan jobs remove theirs too', () => {
    const wf = workflow('deploy.yml');
    for (const [name, job] of Object.entries<Json>(wf.jobs)) {
      const steps: { name?: string; run?: string; if?: string }[] = job.steps ?? [];
      if (name.startsWith('apply-')) {
        const apply = steps.find((st) => st.name?.startsWith('terraform apply'))!;
        expect(apply.run).toContain('work="$RUNNER_TEMP/apply"');
        expect(apply.run).toMatch(/tar -xzf - -C "\$work\/cdktf\.out\/stacks\/\$STACK"/);
        expect(apply.run).toContain('cd "$work/cdktf.out/stacks/$STACK"');
        expect(apply.run).not.toMatch(/-C "cdktf\.out|cd "cdktf\.out/);
        const last = steps[steps.length - 1];
        expect({ name, if: last.if, run: last.run }).toEqual({ name, if: 'always()', run: 'rm -rf "$RUNNER_TEMP/apply" "$RUNNER_TEMP/plan" "$RUNNER_TEMP/plan.key" "$RUNNER_TEMP/plan.pass"' });
      }
      if (name.startsWith('plan-')) {
        const last = steps[steps.length - 1];
        expect({ name, if: last.if }).toEqual({ name, if: 'always()' });
        expect(last.run).toMatch(/^rm -rf "cdktf\.out" "\$RUNNER_TEMP\/plan\.tgz\.enc"/);
      }
    }
    // The cleanup really removes what the apply left (run as the workflow would).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-temp-'));
    for (const f of ['apply/cdktf.out/stacks/s/tfplan', 'plan/plan.tgz.enc', 'plan.key', 'plan.pass']) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), 'x');
    }
    const steps = wf.jobs['apply-1'].steps;
    expect(spawnSync('bash', ['-e', '-c', steps[steps.length - 1].run], { env: { ...process.env, RUNNER_TEMP: dir } }).status).toBe(0);
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmSync(dir, { recursive: true });
  });

  test('an approval that comes after the plan artifact expired fails the apply clearly; plans are kept 7 days on purpose', () => {
    const wf = workflow('deploy.yml');
    for (const [name, job] of Object.entries<Json>(wf.jobs)) {
      const steps: { name?: string; id?: string; uses?: string; run?: string; if?: string; with?: Json; env?: Json; 'continue-on-error'?: boolean }[] = job.steps ?? [];
      const upload = steps.find((st) => st.uses?.startsWith('actions/upload-artifact@'));
      if (upload) expect({ name, retention: upload.with['retention-days'] }).toEqual({ name, retention: 7 });
      if (!name.startsWith('apply-')) continue;
      const i = steps.findIndex((st) => st.uses?.startsWith('actions/download-artifact@'));
      expect(steps[i]).toMatchObject({ id: 'saved-plan', 'continue-on-error': true });
      const refuse = steps[i + 1];
      expect(refuse.if).toBe("steps.saved-plan.outcome != 'success'");
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'expired-'));
      const r = spawnSync('bash', ['-e', '-c', refuse.run!], { encoding: 'utf8', env: { ...process.env, STACK: 'production-tenants', GITHUB_STEP_SUMMARY: path.join(dir, 'summary') } });
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/^::error title=Plan expired::the saved plan of production-tenants is gone: plans are kept 7 days .* or only this apply job was re-run .* Nothing was applied\. Re-run the workflow with Re-run all jobs \(not Re-run failed jobs\)/);
      fs.rmSync(dir, { recursive: true });
      // The apply comes after the refusal, so it never runs without the plan.
      expect(steps.findIndex((st) => st.name?.startsWith('terraform apply'))).toBeGreaterThan(i + 1);
    }
    expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toMatch(/kept 7 days/);
  });

  test('workflows name stacks explicitly, never an "<env>-*" pattern (environment names may contain "-")', () => {
    for (const f of fs.readdirSync(WORKFLOWS)) expect({ f, pattern: /-\*['"]/.test(fs.readFileSync(path.join(WORKFLOWS, f), 'utf8')) }).toEqual({ f, pattern: false });
  });
});

describe('deploy stages', () => {
  const job = (env: string, stack: string): StackJob => ({ env, stack, dependencies: '', dependencyState: '' });
  test('stage n holds the n-th stack of every environment, in deployment order', () => {
    const list = [job('poc', 'poc-cluster'), job('poc', 'poc-capsule'), job('poc', 'poc-tenants'), job('poc-eu', 'poc-eu-cluster'), job('poc-eu', 'poc-eu-capsule')];
    expect(stages(list, 4).map((s) => s.map((j) => j.stack))).toEqual([['poc-cluster', 'poc-eu-cluster'], ['poc-capsule', 'poc-eu-capsule'], ['poc-tenants'], []]);
  });
  test('an environment with more stacks than the workflow has stages is an error, not a skipped stack', () => {
    expect(() => stages([job('a', 'a-1'), job('a', 'a-2')], 1)).toThrow(/environment "a" has 2 stacks \(a-1 a-2\) but the deploy workflow has 1 stages/);
  });
  test('an environment whose installer would be the identity running Terraform is refused (the plan identity would be named)', () => {
    const prod = loadEnvironments(deployableEnvironments()).find((e) => e.name === 'production')!;
    const access = { ...prod.access, clusterAdminPrincipalId: undefined };
    expect(refusal({ ...prod, access } as typeof prod)).toContain('Set access.clusterAdminPrincipalId');
    expect(refusal({ ...prod, access: { ...access, deployerClusterAdmin: false } } as typeof prod)).toBeUndefined();
  });
});

describe('diff workflow: a stack whose dependency is not deployed yet', () => {
  // The workflow's own shell steps, run with a stand-in `az` that knows one existing state blob.
  type Step = { name?: string; run?: string; env?: Record<string, string>; if?: string };
  const steps: Step[] = workflow('diff.yml').jobs.diff.steps;
  const step = (name: string) => steps.find((s) => s.name === name)!;
  const matrix = { env: 'production', stack: 'production-capsule', dependencies: 'production-cluster', dependencyState: 'acct/tfstate/capsule/production-cluster.tfstate' };

  function runStep(s: Step, dir: string, env: Record<string, string>): { status: number | null; stderr: string; stdout: string } {
    const expr = (v: string) =>
      v.replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_, k: keyof typeof matrix) => matrix[k]).replace(/\$\{\{\s*steps\.deps\.outputs\.missing\s*\}\}/g, env.MISSING ?? '');
    const stepEnv = Object.fromEntries(Object.entries(s.env ?? {}).map(([k, v]) => [k, expr(v)]));
    const r = spawnSync('bash', ['-e', '-c', expr(s.run!)], {
      encoding: 'utf8',
      env: { PATH: `${dir}:${process.env.PATH}`, GITHUB_OUTPUT: path.join(dir, 'output'), GITHUB_STEP_SUMMARY: path.join(dir, 'summary'), ...env, ...stepEnv },
    });
    return { status: r.status, stderr: r.stderr, stdout: r.stdout };
  }

  function withFakeAz(existing: string[], fn: (dir: string) => void) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-az-'));
    // az storage blob exists ... --name <key> --query exists -o tsv
    const script = `#!/bin/sh\nwhile [ "$1" != "--name" ]; do shift; done\ncase " ${existing.join(' ')} " in *" $2 "*) echo true;; *) echo false;; esac\n`;
    fs.writeFileSync(path.join(dir, 'az'), script, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'output'), '');
    fs.writeFileSync(path.join(dir, 'summary'), '');
    try {
      fn(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  test('no state for the dependency: reported as "not deployed yet" in the summary and as a warning, and the diff step is skipped', () => {
    withFakeAz([], (dir) => {
      expect(runStep(step('Dependencies deployed?'), dir, {}).status).toBe(0);
      const missing = /^missing=(.*)$/m.exec(fs.readFileSync(path.join(dir, 'output'), 'utf8'))![1];
      expect(missing).toBe('production-cluster.tfstate');
      const report = step('Report a stack whose dependency is not deployed yet');
      expect(report.if).toBe("steps.deps.outputs.missing != ''");
      const r = runStep(report, dir, { MISSING: missing });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('::warning title=production-capsule not deployed yet::');
      expect(fs.readFileSync(path.join(dir, 'summary'), 'utf8')).toContain('### production-capsule: not deployed yet');
      expect(step('cdktf diff ${{ matrix.stack }}').if).toBe("steps.deps.outputs.missing == ''");
    });
  });

  test('dependency state present: nothing is missing, so the diff runs', () => {
    withFakeAz(['capsule/production-cluster.tfstate'], (dir) => {
      expect(runStep(step('Dependencies deployed?'), dir, {}).status).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'output'), 'utf8')).toBe('missing=\n');
    });
  });
});
