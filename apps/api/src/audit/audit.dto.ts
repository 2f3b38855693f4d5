import { Type } from 'class-transformer';
import { OneOf, WholeNumber } from '../http/fields.js';

export class AnchorQuery {
  @WholeNumber(1, Number.MAX_SAFE_INTEGER, { optional: true, description: 'the global position of the last event to cover (default: the settled head of the log)' })
  @Type(() => Number)
  position?: number;
}

export const DOSSIER_FORMATS = ['json', 'html'] as const;

export class DossierQuery {
  @OneOf(DOSSIER_FORMATS, { optional: true, description: 'json (default) or html: a printable page in Chinese' })
  format?: (typeof DOSSIER_FORMATS)[number];
}
