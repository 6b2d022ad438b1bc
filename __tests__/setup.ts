import { Testing } from 'cdktf';
import { skipTerraformVersionCheck, skipTokenCreationTraces } from '../app/synth-speed';

Testing.setupJest();

// Synthesize as the app does (main.ts): no stack trace per token (a third of a synth's time), and no `terraform
// version` process per synth of a terraform_data resource (no terraform binary needed). Token resolution stays
// cdktf's own here: the constructs are tested as a library user synthesizes them.
skipTokenCreationTraces();
skipTerraformVersionCheck();
