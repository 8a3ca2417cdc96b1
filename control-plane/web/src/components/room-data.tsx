/**
 * Where a project's data is inside its room: the current copy's files as the room sees them
 * (`/data/<file>`), with rows and dataset, how to read one (pandas, R's arrow), and the other
 * folders (`/outputs` for what may leave through the airlock, `/imports`, the home with the
 * welcome notebook the room opens on). From the same copies list as the copies section.
 */
import { useI18n } from '../i18n/index.tsx';
import { EP } from '../lib/endpoints.ts';
import type { CopyList } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { Loaded } from './status.tsx';

export function RoomData({ projectId }: { projectId: string }) {
  const { t, num } = useI18n();
  const copies = useApi<CopyList>(EP.projectCopies(projectId));
  return (
    <Loaded state={copies}>
      {(list) => {
        const current = list.copies.find((c) => c.current);
        const files = current?.manifest.files ?? [];
        const first = files.find((f) => f.format === 'parquet') ?? files[0];
        return (
          <div className="room-data" data-testid="room-data">
            {current ? (
              <>
                <p>{t('roomData.copy', { v: current.copyVersion })}</p>
                <ul className="plain" aria-label={t('roomData.files')}>
                  {files.map((f) => (
                    <li key={f.name}>
                      <code className="wrap">/data/{f.name}</code> · {f.dataset} · {t('roomData.rows', { n: num(f.rows) })}
                    </li>
                  ))}
                </ul>
                {first ? (
                  <>
                    <p>{t('roomData.howPython')}</p>
                    <pre className="wrap">
                      <code>{`import pandas as pd\ndf = pd.${first.format === 'parquet' ? 'read_parquet' : 'read_csv'}('/data/${first.name}')`}</code>
                    </pre>
                    <p>{t('roomData.howR')}</p>
                    <pre className="wrap">
                      <code>{first.format === 'parquet' ? `df <- arrow::read_parquet('/data/${first.name}')` : `df <- read.csv('/data/${first.name}')`}</code>
                    </pre>
                  </>
                ) : null}
              </>
            ) : (
              <p>{t('roomData.noCopy')}</p>
            )}
            <dl className="facts">
              <dt>
                <code>/data</code>
              </dt>
              <dd>{t('roomData.data')}</dd>
              <dt>
                <code>/outputs</code>
              </dt>
              <dd>{t('roomData.outputs')}</dd>
              <dt>
                <code>/imports</code>
              </dt>
              <dd>{t('roomData.imports')}</dd>
              <dt>
                <code>/home/researcher</code>
              </dt>
              <dd>{t('roomData.home')}</dd>
            </dl>
          </div>
        );
      }}
    </Loaded>
  );
}
