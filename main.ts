import * as path from 'path';
import { App } from 'cdktf';
import { EnvironmentError, loadEnvironments } from './config/load';
import { ValidationError } from './constructs/validation';
import { createEnvironmentStacks } from './stacks/environment-stacks';

// Loads every environments/*.yaml (or $CAPSULE_AKS_ENVIRONMENTS/*.yaml) and creates its stacks. Bad input: one clear message, exit 1, no synth.
try {
  const envs = loadEnvironments(process.env.CAPSULE_AKS_ENVIRONMENTS ?? path.join(__dirname, 'environments'));
  const app = new App();
  for (const env of envs) createEnvironmentStacks(app, env);
  app.synth();
} catch (err) {
  if (err instanceof EnvironmentError || err instanceof ValidationError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
