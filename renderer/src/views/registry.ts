/** The operator's views, in navigation order, with their keyboard shortcuts (Alt+1 … Alt+9). */
import type { ComponentType } from 'react';
import type { ViewId } from '../store/ui.ts';
import { AssetsView } from './assets/AssetsView.tsx';
import { ClaimsView } from './claims/ClaimsView.tsx';
import { ConflictsView } from './conflicts/ConflictsView.tsx';
import { ConnectionScreen } from './connection/ConnectionScreen.tsx';
import { IntegrationsView } from './integrations/IntegrationsView.tsx';
import { LogView } from './log/LogView.tsx';
import { OverviewView } from './overview/OverviewView.tsx';
import { RepositoriesView } from './repositories/RepositoriesView.tsx';
import { WorkspacesView } from './workspaces/WorkspacesView.tsx';

export interface ViewDef { id: ViewId; label: string; component: ComponentType }

export const VIEWS: readonly ViewDef[] = [
  { id: 'overview', label: 'Overview', component: OverviewView },
  { id: 'workspaces', label: 'Workspaces', component: WorkspacesView },
  { id: 'repositories', label: 'Repositories', component: RepositoriesView },
  { id: 'assets', label: 'Assets', component: AssetsView },
  { id: 'integrations', label: 'Integrations', component: IntegrationsView },
  { id: 'claims', label: 'Claims', component: ClaimsView },
  { id: 'conflicts', label: 'Conflicts', component: ConflictsView },
  { id: 'log', label: 'Message log', component: LogView },
  { id: 'connection', label: 'Connection', component: ConnectionScreen },
];
