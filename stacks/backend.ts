import { AzurermBackend, LocalBackend, TerraformStack } from 'cdktf';
import { EnvironmentConfig } from '../config/schema';

/**
 * Terraform state of one stack: a local file `terraform.<stack>.tfstate` in the project root by default, or a blob `<keyPrefix><stack>.tfstate` in an Azure
 * storage account with Entra ID authentication (no storage account keys).
 */
export function configureBackend(stack: TerraformStack, env: EnvironmentConfig, stackName: string): void {
  const state = env.state ?? { backend: 'local' as const };
  if (state.backend === 'azurerm') {
    new AzurermBackend(stack, {
      resourceGroupName: state.resourceGroupName,
      storageAccountName: state.storageAccountName,
      containerName: state.containerName,
      key: `${state.keyPrefix ?? ''}${stackName}.tfstate`,
      useAzureadAuth: true,
      subscriptionId: state.subscriptionId,
      tenantId: state.tenantId,
    });
  } else {
    // Terraform runs in cdktf.out/stacks/<stack>/: the state files live in the project root, and the same relative
    // path also works for the remote-state reads cdktf generates in the dependent stacks (same directory depth).
    new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
  }
}
