import { z } from 'zod';
import { AZURE_NAMES, DOMAIN_RE } from '../constructs/validation';
import { cidr, pinnedVersion, projectFile } from './fields';

/** The `capsule` section: Capsule and capsule-proxy (the `<env>-capsule` stack). Every key is optional. */
export const capsuleSchema = z.strictObject({
  /** Chart version of `capsule` (pinned). Default 0.14.0. */
  chartVersion: pinnedVersion.optional(),
  /** Tenant owners must name namespaces `<tenant>-<name>`. Default true. */
  forceTenantPrefix: z.boolean().optional(),
  /**
   * Where the webhook certificates (and the proxy's, unless `proxy.customCertificate`) come from:
   * `cert-manager` (default, as the Capsule 0.14 charts expect) or `builtin` (the charts generate them).
   */
  certificates: z.enum(['cert-manager', 'builtin']).optional(),
  /** cert-manager (jetstack chart) installed by this stack. */
  certManager: z
    .strictObject({
      /** Install cert-manager. Default: true when `certificates` is `cert-manager`; set false if it is already installed. */
      install: z.boolean().optional(),
      /** Chart version (pinned). Default v1.19.1. */
      chartVersion: pinnedVersion.optional(),
    })
    .optional(),
  proxy: z
    .strictObject({
      /** Chart version of `capsule-proxy` (pinned). Default 0.14.0. */
      chartVersion: pinnedVersion.optional(),
      /** Azure DNS label of the proxy's public IP: `<dnsLabel>.<location>.cloudapp.azure.com`. Default `capsule-proxy-<env>`. */
      dnsLabel: z.string().regex(AZURE_NAMES.dnsLabel.re, { message: `must be ${AZURE_NAMES.dnsLabel.allowed}` }).optional(),
      /** Source CIDRs allowed to reach the proxy's LoadBalancer. Default: cluster.authorizedIpRanges, else any address. */
      allowedIpRanges: z.array(cidr).optional(),
      /** Your own DNS names for the proxy (CNAMEs to the Azure name); the first one is used in kubeconfigs. */
      hostnames: z.array(z.string().regex(DOMAIN_RE, { message: 'must be a DNS name such as capsule.example.com' })).optional(),
      /**
       * A certificate you supply (e.g. from certbot) instead of a generated one. Paths are relative to the
       * directory `cdktf synth` runs in and must resolve inside it (symbolic links followed); the files are read
       * by Terraform at apply time, never at synth.
       */
      customCertificate: z
        .strictObject({
          /** PEM certificate chain (e.g. certbot's fullchain.pem). */
          certFile: projectFile,
          /** PEM private key (e.g. certbot's privkey.pem). */
          keyFile: projectFile,
          /** PEM CA certificate, only when the certificate is not from a public CA. */
          caFile: projectFile.optional(),
        })
        .optional(),
    })
    .optional(),
});

export type CapsuleConfig = z.infer<typeof capsuleSchema>;
