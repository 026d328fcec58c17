import { servedNotes } from './notes.resource.js';
import { describeResource } from '../../test/resource-suite.js';

describeResource(servedNotes);
