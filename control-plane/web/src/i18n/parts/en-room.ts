/** English labels of the room part of the UI; spread into `en.ts`. `nb-room.ts` has the same keys. */
export const enRoom = {
  'project.roomData': 'Where your data is',
  'roomData.copy': 'Your room mounts data copy version {v}. Its files, as the room sees them:',
  'roomData.files': 'Files of the data copy',
  'roomData.rows': '{n} rows',
  'roomData.howPython': 'Read a file in a Python notebook:',
  'roomData.howR': 'Or in an R notebook:',
  'roomData.noCopy': 'There is no data copy yet: /data is empty until the copy of the permit is made.',
  'roomData.data': 'The data copy, read-only. In the file browser: the folder data.',
  'roomData.outputs': 'Results you want to take out; they leave only through an export request (airlock).',
  'roomData.imports': 'Files brought in for you through the airlock, read-only.',
  'roomData.home': 'Your own work, kept when the room stops. The room opens on welcome.ipynb, which lists the files and their variables.',
} as const;
