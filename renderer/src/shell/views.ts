/** The operator's views, in navigation order, with their keyboard shortcuts (Alt+1 … Alt+7). */
import type { ComponentType } from 'react';
import type { ViewId } from '../store/ui.ts';
import { ClaimsView } from '../views/claims/ClaimsView.tsx';
import { ConflictsView } from '../views/conflicts/ConflictsView.tsx';
import { ConnectionScreen } from '../views/ConnectionScreen.tsx';
import { LogView } from '../views/log/LogView.tsx';
import { OverviewView } from '../views/overview/OverviewView.tsx';
import { RepositoriesView } from '../views/repositories/RepositoriesView.tsx';
import { WorkspacesView } from '../views/workspaces/WorkspacesView.tsx';

export interface ViewDef { id: ViewId; label: string; component: ComponentType }

export const VIEWS: readonly ViewDef[] = [
  { id: 'overview', label: 'Overview', component: OverviewView },
  { id: 'workspaces', label: 'Workspaces', component: WorkspacesView },
  { id: 'repositories', label: 'Repositories', component: RepositoriesView },
  { id: 'claims', label: 'Claims', component: ClaimsView },
  { id: 'conflicts', label: 'Conflicts', component: ConflictsView },
  { id: 'log', label: 'Message log', component: LogView },
  { id: 'connection', label: 'Connection', component: ConnectionScreen },
];
