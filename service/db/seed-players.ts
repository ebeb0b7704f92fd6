/** Seed data: NBA players (NBA.com person ids), their team and injury status. */

export const INJURY_STATUSES = ['healthy', 'questionable', 'doubtful', 'out'] as const;
export type InjuryStatus = (typeof INJURY_STATUSES)[number];

export interface PlayerRow {
  readonly id: string;
  readonly name: string;
  readonly team: string;
  readonly position: string;
  readonly injury_status: InjuryStatus;
}

export const SEED_PLAYERS: readonly PlayerRow[] = [
  { id: '1628369', name: 'Jayson Tatum', team: 'BOS', position: 'F', injury_status: 'healthy' },
  { id: '1627759', name: 'Jaylen Brown', team: 'BOS', position: 'G-F', injury_status: 'healthy' },
  { id: '2544', name: 'LeBron James', team: 'LAL', position: 'F', injury_status: 'questionable' },
  { id: '203076', name: 'Anthony Davis', team: 'LAL', position: 'F-C', injury_status: 'healthy' },
  { id: '201939', name: 'Stephen Curry', team: 'GSW', position: 'G', injury_status: 'healthy' },
  { id: '203999', name: 'Nikola Jokic', team: 'DEN', position: 'C', injury_status: 'healthy' },
  { id: '203507', name: 'Giannis Antetokounmpo', team: 'MIL', position: 'F', injury_status: 'healthy' },
  { id: '203081', name: 'Damian Lillard', team: 'MIL', position: 'G', injury_status: 'out' },
  { id: '1629029', name: 'Luka Doncic', team: 'DAL', position: 'G-F', injury_status: 'healthy' },
  { id: '202681', name: 'Kyrie Irving', team: 'DAL', position: 'G', injury_status: 'doubtful' },
  { id: '1628983', name: 'Shai Gilgeous-Alexander', team: 'OKC', position: 'G', injury_status: 'healthy' },
  { id: '203954', name: 'Joel Embiid', team: 'PHI', position: 'C', injury_status: 'doubtful' },
  { id: '1630178', name: 'Tyrese Maxey', team: 'PHI', position: 'G', injury_status: 'healthy' },
  { id: '202331', name: 'Paul George', team: 'PHI', position: 'F', injury_status: 'questionable' },
  { id: '201142', name: 'Kevin Durant', team: 'PHX', position: 'F', injury_status: 'healthy' },
  { id: '1626164', name: 'Devin Booker', team: 'PHX', position: 'G', injury_status: 'healthy' },
  { id: '1629027', name: 'Trae Young', team: 'ATL', position: 'G', injury_status: 'healthy' },
  { id: '1630162', name: 'Anthony Edwards', team: 'MIN', position: 'G', injury_status: 'healthy' },
  { id: '1628378', name: 'Donovan Mitchell', team: 'CLE', position: 'G', injury_status: 'healthy' },
  { id: '201935', name: 'James Harden', team: 'LAC', position: 'G', injury_status: 'healthy' },
  { id: '202695', name: 'Kawhi Leonard', team: 'LAC', position: 'F', injury_status: 'out' },
  { id: '1629630', name: 'Ja Morant', team: 'MEM', position: 'G', injury_status: 'questionable' },
  { id: '1628991', name: 'Jaren Jackson Jr.', team: 'MEM', position: 'F-C', injury_status: 'healthy' },
  { id: '1629627', name: 'Zion Williamson', team: 'NOP', position: 'F', injury_status: 'out' },
  { id: '1641705', name: 'Victor Wembanyama', team: 'SAS', position: 'C', injury_status: 'healthy' },
  { id: '1630169', name: 'Tyrese Haliburton', team: 'IND', position: 'G', injury_status: 'healthy' },
  { id: '1628973', name: 'Jalen Brunson', team: 'NYK', position: 'G', injury_status: 'healthy' },
  { id: '1626157', name: 'Karl-Anthony Towns', team: 'NYK', position: 'C', injury_status: 'healthy' },
  { id: '1630595', name: 'Cade Cunningham', team: 'DET', position: 'G', injury_status: 'healthy' },
  { id: '1631094', name: 'Paolo Banchero', team: 'ORL', position: 'F', injury_status: 'healthy' },
  { id: '202710', name: 'Jimmy Butler', team: 'MIA', position: 'F', injury_status: 'questionable' },
  { id: '1628389', name: 'Bam Adebayo', team: 'MIA', position: 'C', injury_status: 'healthy' },
  { id: '1627734', name: 'Domantas Sabonis', team: 'SAC', position: 'C', injury_status: 'healthy' },
  { id: '1628368', name: "De'Aaron Fox", team: 'SAC', position: 'G', injury_status: 'healthy' },
  { id: '203897', name: 'Zach LaVine', team: 'CHI', position: 'G', injury_status: 'healthy' },
  { id: '1630567', name: 'Scottie Barnes', team: 'TOR', position: 'F', injury_status: 'healthy' },
];
