import { Construct } from 'constructs';
import { Group } from '@cdktf/provider-azuread/lib/group';
import { User } from '@cdktf/provider-azuread/lib/user';
import { GroupMember } from '@cdktf/provider-azuread/lib/group-member';
import { DataAzureadUser } from '@cdktf/provider-azuread/lib/data-azuread-user';
import { Password } from '@cdktf/provider-random/lib/password';
import { checkGuid, checkIntRange, checkPattern, invalid, joinedId, UPN_RE } from './validation';
import { terraformLiterals } from './terraform-literal';

/** An Entra ID object by reference (a construct such as an azuread `Group`, or `{ objectId }`), or its object ID. */
export type EntraObjectRef = string | { readonly objectId: string };

/** The object ID of an {@link EntraObjectRef}. */
export function entraObjectId(ref: EntraObjectRef): string {
  return typeof ref === 'string' ? ref : ref.objectId;
}

/** A security group: created from a display name, or referenced by the object ID of an existing group. */
export interface EntraGroupSpec {
  /**
   * Display name of a group to create. Exactly one of `displayName` and `objectId` is set.
   * @default - none
   */
  readonly displayName?: string;
  /**
   * Object ID of an existing group to reference instead of creating one.
   * @default - none (the group is created)
   */
  readonly objectId?: string;
  /**
   * Description of a created group.
   * @default - "Managed by capsule-aks"
   */
  readonly description?: string;
}

/** A user to create (the proof-of-concept case), or an existing user to reference by UPN. */
export interface EntraUserSpec {
  /** User principal name, `name@domain`. On AKS, Capsule matches `User` owners by UPN. */
  readonly userPrincipalName: string;
  /**
   * Display name.
   * @default - the part of the UPN before '@'
   */
  readonly displayName?: string;
  /**
   * Keys of groups (in `groups`) the user is a member of.
   * @default []
   */
  readonly memberOf?: readonly string[];
  /**
   * Reference an existing user by UPN (looked up at plan time) instead of creating one.
   * @default false
   */
  readonly existing?: boolean;
}

/** A membership of a group or user (by key) in a group (by key). */
export interface EntraMembership {
  /** Key of the group that gets the member. */
  readonly group: string;
  /** Key of the member: a key of `groups` or of `users`. */
  readonly member: string;
}

export interface EntraDirectoryProps {
  /**
   * Security groups by stable key. The key names the Terraform resource, so renaming a group's display name
   * updates it in place, and reordering keys changes nothing.
   * @default {}
   */
  readonly groups?: Readonly<Record<string, EntraGroupSpec>>;
  /**
   * Users to create by stable key. Each gets a password generated at apply time by the random provider, which
   * must be changed at first sign-in. The password exists only in Terraform state and sensitive outputs.
   * @default {}
   */
  readonly users?: Readonly<Record<string, EntraUserSpec>>;
  /**
   * Further memberships (beyond each user's `memberOf`). Duplicates are merged. A membership between a referenced
   * group and a referenced group or user is refused: one side must be created here.
   * @default []
   */
  readonly memberships?: readonly EntraMembership[];
  /**
   * Length of generated passwords (Entra ID allows 8 to 256).
   * @default 24
   */
  readonly passwordLength?: number;
}

/**
 * Entra ID security groups, optional users and memberships.
 *
 * Groups are created (security-enabled, not mail-enabled, refusing duplicate display names) or referenced by object
 * ID. Users are created (with a generated password they must change at first sign-in) or referenced by UPN
 * (`existing`: no password).
 */
export class EntraDirectory extends Construct {
  private readonly groupIds = new Map<string, string>();
  private readonly userIds = new Map<string, string>();
  private readonly upns = new Map<string, string>();
  private readonly passwords = new Map<string, string>();

  constructor(scope: Construct, id: string, props: EntraDirectoryProps = {}) {
    super(scope, id);
    const groups = props.groups ?? {};
    const users = props.users ?? {};
    const passwordLength = props.passwordLength ?? 24;
    checkIntRange(this, 'passwordLength', passwordLength, 8, 256);

    // One namespace of keys: a membership or owner naming "staging" must mean one principal, never silently the group.
    for (const key of Object.keys(users)) {
      if (Object.prototype.hasOwnProperty.call(groups, key)) {
        invalid(this, `users.${key}`, key, `is also a key of groups (groups.${key}); keys must be unique across groups and users`);
      }
    }
    for (const [key, spec] of Object.entries(groups)) {
      if ((spec.displayName === undefined) === (spec.objectId === undefined)) {
        invalid(this, `groups.${key}`, spec, 'set exactly one of displayName (create the group) and objectId (reference an existing group)');
      }
      if (spec.objectId !== undefined) {
        checkGuid(this, `groups.${key}.objectId`, spec.objectId);
        this.groupIds.set(key, spec.objectId);
        continue;
      }
      if (spec.displayName!.trim() === '') invalid(this, `groups.${key}.displayName`, spec.displayName, 'must not be empty');
      const group = new Group(
        this,
        `group-${key}`,
        terraformLiterals(this, `groups.${key}`, {
          displayName: spec.displayName!,
          description: spec.description ?? 'Managed by capsule-aks',
          securityEnabled: true,
          mailEnabled: false,
          preventDuplicateNames: true,
        }),
      );
      this.groupIds.set(key, group.objectId);
    }

    for (const [key, spec] of Object.entries(users)) {
      checkPattern(this, `users.${key}.userPrincipalName`, spec.userPrincipalName, UPN_RE, 'must be a user principal name such as alice@contoso.onmicrosoft.com');
      if (spec.existing) {
        const found = new DataAzureadUser(this, `existing-user-${key}`, terraformLiterals(this, `users.${key}`, { userPrincipalName: spec.userPrincipalName }));
        this.userIds.set(key, found.objectId);
        this.upns.set(key, spec.userPrincipalName);
        continue;
      }
      const password = new Password(this, `password-${key}`, {
        length: passwordLength,
        special: true,
        minLower: 1,
        minUpper: 1,
        minNumeric: 1,
        minSpecial: 1,
      });
      const user = new User(
        this,
        `user-${key}`,
        terraformLiterals(this, `users.${key}`, {
          userPrincipalName: spec.userPrincipalName,
          displayName: spec.displayName ?? spec.userPrincipalName.split('@')[0],
          password: password.result,
          forcePasswordChange: true,
          accountEnabled: true,
        }),
      );
      this.userIds.set(key, user.objectId);
      this.upns.set(key, user.userPrincipalName);
      this.passwords.set(key, password.result);
    }

    const memberships: EntraMembership[] = [
      ...Object.entries(users).flatMap(([key, spec]) => (spec.memberOf ?? []).map((group) => ({ group, member: key }))),
      ...(props.memberships ?? []),
    ];
    const seen = new Set<string>();
    for (const m of memberships) {
      const groupId = this.groupIds.get(m.group);
      if (groupId === undefined) invalid(this, `memberships[${m.member} -> ${m.group}].group`, m.group, `must be a group key: ${this.keysOf(this.groupIds)}`);
      const memberId = this.groupIds.get(m.member) ?? this.userIds.get(m.member);
      if (memberId === undefined) {
        invalid(this, `memberships[${m.member} -> ${m.group}].member`, m.member, `must be a group or user key: ${this.keysOf(this.groupIds, this.userIds)}`);
      }
      if (m.group === m.member) invalid(this, `memberships[${m.member} -> ${m.group}]`, m.member, 'a group cannot be a member of itself');
      // A membership between objects this directory only references may exist already: azuread 3.7.0 refuses to
      // create it (internal/services/groups/group_member_resource.go, import-as-exists), and a destroy would remove a
      // membership made outside Terraform. One side must be created here.
      const referenced = (key: string) => groups[key]?.objectId !== undefined || users[key]?.existing === true;
      if (referenced(m.group) && referenced(m.member)) {
        invalid(
          this,
          `memberships[${m.member} -> ${m.group}]`,
          m.member,
          'joins two objects that are only referenced (existing): manage that membership in Entra ID, not here (it may exist already, and a destroy would remove it)',
        );
      }
      // Injective: "a" + "b--c" and "a--b" + "c" give different IDs (the plain form is kept where it is unambiguous).
      const id = `member-${joinedId(m.group, m.member)}`;
      if (seen.has(id)) continue;
      seen.add(id);
      new GroupMember(this, id, terraformLiterals(this, `memberships.${id}`, { groupObjectId: groupId, memberObjectId: memberId }));
    }
  }

  /** Object ID of a group by key (a token for created groups). */
  public groupObjectId(key: string): string {
    return this.lookup(this.groupIds, 'group', key);
  }

  /** Object ID of a created user by key. */
  public userObjectId(key: string): string {
    return this.lookup(this.userIds, 'user', key);
  }

  /** User principal name of a created user by key. */
  public userPrincipalName(key: string): string {
    return this.lookup(this.upns, 'user', key);
  }

  /** Generated initial password of a created user: sensitive, use only in sensitive outputs. */
  public initialPassword(key: string): string {
    return this.lookup(this.passwords, 'created user', key);
  }

  /** Keys of the users created here (which have an initial password). */
  public get createdUserKeys(): string[] {
    return [...this.passwords.keys()];
  }

  /** Keys of all groups. */
  public get groupKeys(): string[] {
    return [...this.groupIds.keys()];
  }

  private lookup(map: Map<string, string>, kind: string, key: string): string {
    const value = map.get(key);
    if (value === undefined) invalid(this, `${kind} key`, key, `must be one of: ${this.keysOf(map)}`);
    return value;
  }

  private keysOf(...maps: Map<string, string>[]): string {
    const keys = maps.flatMap((m) => [...m.keys()]);
    return keys.length ? keys.join(', ') : '(none defined)';
  }
}
