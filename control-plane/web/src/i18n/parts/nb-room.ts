/** Norsk bokmål for room-delen av brukergrensesnittet; samme nøkler som `en-room.ts`. */
import type { enRoom } from './en-room.ts';

export const nbRoom: Record<keyof typeof enRoom, string> = {
  'project.roomData': 'Hvor dataene dine er',
  'roomData.copy': 'Rommet ditt har datakopi versjon {v}. Filene, slik rommet ser dem:',
  'roomData.files': 'Filene i datakopien',
  'roomData.rows': '{n} rader',
  'roomData.howPython': 'Les en fil i en Python-notatbok:',
  'roomData.howR': 'Eller i en R-notatbok:',
  'roomData.noCopy': 'Det finnes ingen datakopi ennå: /data er tom til kopien for tillatelsen er laget.',
  'roomData.data': 'Datakopien, skrivebeskyttet. I filutforskeren: mappen data.',
  'roomData.outputs': 'Resultater du vil ta ut; de går ut bare gjennom en eksportforespørsel (sluse).',
  'roomData.imports': 'Filer som er tatt inn til deg gjennom slusen, skrivebeskyttet.',
  'roomData.home': 'Ditt eget arbeid, som beholdes når rommet stopper. Rommet åpner med welcome.ipynb, som viser filene og variablene deres.',
};
