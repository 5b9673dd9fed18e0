// Permissions are "resource:action"; the console groups them by resource, keeping the
// server's order.

export interface PermissionGroup {
  resource: string;
  permissions: string[];
}

export function groupPermissions(permissions: readonly string[]): PermissionGroup[] {
  const groups: PermissionGroup[] = [];
  const index = new Map<string, PermissionGroup>();
  for (const permission of permissions) {
    const resource = permission.split(':')[0] ?? permission;
    let group = index.get(resource);
    if (group === undefined) {
      group = { resource, permissions: [] };
      index.set(resource, group);
      groups.push(group);
    }
    group.permissions.push(permission);
  }
  return groups;
}
