import { TerraformStack, Testing } from 'cdktf';
import { EntraDirectory, EntraDirectoryProps } from '../constructs/entra-directory';
import { resources, synthJson } from './helpers';

const EXISTING = '22222222-2222-2222-2222-222222222222';
const OTHER = '33333333-3333-3333-3333-333333333333';

function directory(props: EntraDirectoryProps) {
  const s = new TerraformStack(Testing.app(), 'test');
  new EntraDirectory(s, 'entra', props);
  return synthJson(s);
}

describe('EntraDirectory memberships (issue 12.5)', () => {
  test('a membership between two referenced groups is refused (azuread import-as-exists; destroy would remove it)', () => {
    expect(() => directory({ groups: { a: { objectId: EXISTING }, b: { objectId: OTHER } }, memberships: [{ group: 'a', member: 'b' }] })).toThrow(
      /test\/entra: memberships\[b -> a\] "b" is invalid: joins two objects that are only referenced/,
    );
  });
  test('a referenced user in a referenced group is refused too', () => {
    const props: EntraDirectoryProps = { groups: { a: { objectId: EXISTING } }, users: { bob: { userPrincipalName: 'bob@contoso.com', existing: true } }, memberships: [{ group: 'a', member: 'bob' }] };
    expect(() => directory(props)).toThrow(/memberships\[bob -> a\]/);
  });
  test('created users still join created and referenced groups', () => {
    const json = directory({
      groups: { a: { objectId: EXISTING }, b: { displayName: 'Team B' } },
      users: { alice: { userPrincipalName: 'alice@contoso.com', memberOf: ['a', 'b'] } },
    });
    expect(resources(json, 'azuread_group_member')).toHaveLength(2);
  });
});
