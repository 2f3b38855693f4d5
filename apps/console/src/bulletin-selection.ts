import { useCallback, useState } from 'react';
import type { CaseView } from './api/types.js';

/** A case picked for the next bulletin, with what its draft shows before the server freezes it. */
export type PickedCase = Pick<CaseView, 'id' | 'number' | 'title' | 'kind' | 'unitId'>;

const KEY = 'minyi.bulletin.picked';

/** The picks are kept for the tab's session, so that they outlast a new search or another page of results. */
function stored(): PickedCase[] {
  try {
    const value: unknown = JSON.parse(sessionStorage.getItem(KEY) ?? '[]');
    return Array.isArray(value) ? (value as PickedCase[]) : [];
  } catch {
    return [];
  }
}

export function clearPickedCases(): void {
  sessionStorage.removeItem(KEY);
}

export function usePickedCases() {
  const [picked, setPicked] = useState<PickedCase[]>(stored);
  const save = useCallback((next: PickedCase[]) => {
    sessionStorage.setItem(KEY, JSON.stringify(next));
    setPicked(next);
  }, []);
  const toggle = useCallback(
    (item: PickedCase) => {
      const current = stored();
      const { id, number, title, kind, unitId } = item;
      save(current.some((p) => p.id === id) ? current.filter((p) => p.id !== id) : [...current, { id, number, title, kind, unitId }]);
    },
    [save],
  );
  const clear = useCallback(() => save([]), [save]);
  return { picked, toggle, clear };
}
