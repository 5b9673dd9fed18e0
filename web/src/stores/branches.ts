// The branches the caller can see, loaded whole (a bank has hundreds at most) and shared by
// every page that names or picks a branch.

import { defineStore } from 'pinia';
import { branchApi } from '@/api/endpoints';
import { fetchAll } from '@/api/paging';
import type { ApiError } from '@/api/problem';
import type { Branch } from '@/api/types';
import { toApiError } from '@/composables/useProblem';
import { buildBranchTree, branchTrail } from '@/utils/branches';
import type { BranchNode } from '@/utils/branches';

interface BranchState {
  items: Branch[];
  loaded: boolean;
  loading: boolean;
  error: ApiError | null;
}

let inflight: Promise<void> | null = null;

export const useBranchStore = defineStore('branches', {
  state: (): BranchState => ({ items: [], loaded: false, loading: false, error: null }),
  getters: {
    tree: (state): BranchNode[] => buildBranchTree(state.items),
    byId: (state): Map<number, Branch> => new Map(state.items.map((b) => [b.id, b])),
  },
  actions: {
    name(id: number | null | undefined): string {
      if (id === null || id === undefined) return '';
      return this.byId.get(id)?.name ?? `#${id}`;
    },
    trail(id: number | null | undefined): string {
      return branchTrail(this.items, id);
    },
    // Loads once; force reloads (after a branch is created or edited).
    async load(force = false): Promise<void> {
      if (this.loaded && !force) return;
      if (inflight !== null && !force) return inflight;
      this.loading = true;
      this.error = null;
      const run = (async () => {
        try {
          this.items = await fetchAll((cursor) => branchApi.list({ cursor, limit: 200 }));
          this.loaded = true;
        } catch (e) {
          this.error = toApiError(e);
        } finally {
          this.loading = false;
          inflight = null;
        }
      })();
      inflight = run;
      return run;
    },
    forget(): void {
      this.items = [];
      this.loaded = false;
      this.error = null;
    },
  },
});
