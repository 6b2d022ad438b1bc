import * as path from 'path';
import { App, Manifest, TerraformStack } from 'cdktf';

/**
 * App context key: the project root (the directory of `cdktf.json` and `main.ts`), which relative paths of the
 * environment files and the local state files are relative to. main.ts sets it; without it (library use, tests),
 * the root is the parent of the App's output directory, as with the default `cdktf.out`.
 */
export const PROJECT_ROOT_CONTEXT = 'capsule-aks:projectRoot';

/**
 * The path Terraform must be given for `file` (relative to the project root, or absolute): Terraform runs in
 * `<outdir>/stacks/<stack>` and resolves relative paths from there, so the path is made relative to that
 * directory. The same file is meant for any output directory (`cdktf synth --output build/out`) and any working
 * directory; with the default output `cdktf.out` it is `../../../<file>` on every machine.
 */
export function pathFromStack(stack: TerraformStack, file: string): string {
  if (path.isAbsolute(file)) return file;
  const outdir = path.resolve(App.of(stack).outdir);
  const stackDir = path.join(outdir, Manifest.stacksFolder, stack.node.id);
  return path.relative(stackDir, path.resolve(projectRoot(stack), file)).split(path.sep).join('/');
}

/** The project root of a stack's app: the context {@link PROJECT_ROOT_CONTEXT}, else the parent of the output directory. */
export function projectRoot(stack: TerraformStack): string {
  const root = stack.node.tryGetContext(PROJECT_ROOT_CONTEXT) as string | undefined;
  return root ?? path.dirname(path.resolve(App.of(stack).outdir));
}
