/** The files in my room's /outputs: names, sizes and times, never contents. */
import { useI18n } from '../i18n/index.tsx';
import { EP } from '../lib/endpoints.ts';
import type { OutputEntry } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { Empty, Loaded } from './status.tsx';

export function OutputsList({ projectId }: { projectId: string }) {
  const { t, date, num } = useI18n();
  const outputs = useApi<OutputEntry[]>(EP.projectOutputs(projectId));
  return (
    <Loaded state={outputs}>
      {(files) => {
        if (!files.length) return <Empty>{t('outputs.none')}</Empty>;
        return (
          <table className="data">
            <thead>
              <tr>
                <th scope="col">{t('outputs.file')}</th>
                <th scope="col">{t('outputs.size')}</th>
                <th scope="col">{t('outputs.modified')}</th>
              </tr>
            </thead>
            <tbody>
              {files.map((f) => (
                <tr key={f.path}>
                  <td>
                    <code>{f.path}</code>
                  </td>
                  <td>{num(f.sizeBytes)}</td>
                  <td>{date(f.modifiedAt, true)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        );
      }}
    </Loaded>
  );
}
