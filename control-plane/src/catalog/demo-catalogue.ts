/**
 * The demo catalogue: five synthetic registers shaped like Norway's central health registers.
 * The synthetic generator (`data-copies/generator*.ts`) writes exactly these variables.
 */
import { DEMO_CODE_LISTS } from './code-lists.ts';
import { DatasetSchema, type Catalogue, type Dataset, type VariableInput } from './model.ts';

const fnr: VariableInput = {
  name: 'fnr',
  type: 'string',
  label: 'National identity number',
  description: '11-digit fødselsnummer (date of birth, individual number, two mod-11 check digits). Links the registers.',
  class: 'direct_identifier',
  required: true,
};

/**
 * What the demo registers hold: the generator's persons are born from 1925, its events run from
 * 2010 (`data-copies/generator-sql.ts`); all are still collected (`to: null`), so how far they
 * reach is what intake measures in the stored version.
 */
const POPULATION_COVERAGE = { from: '1925-01-01', to: null };
const EVENT_COVERAGE = { from: '2010-01-01', to: null };

const RAW = [
  {
    name: 'population',
    title: 'Population register (Folkeregisteret-like)',
    description: 'Every person resident in Norway at any time since 1925: birth, sex, municipality of residence, death.',
    dataController: 'Norwegian Tax Administration (Skatteetaten)',
    updateFrequency: 'daily',
    keywords: ['population', 'demography', 'folkeregister', 'residence'],
    accessConditions: 'restricted: permit from the access administrator',
    identifier: 'urn:analyserom:dataset:population',
    personVariable: 'fnr',
    periodVariable: null,
    coverage: POPULATION_COVERAGE,
    variables: [
      fnr,
      {
        name: 'birth_date',
        type: 'date',
        label: 'Date of birth',
        class: 'indirect_identifier',
        required: true,
        description: 'As encoded in the identity number.',
      },
      {
        name: 'sex',
        type: 'code',
        codeList: 'sex',
        label: 'Sex',
        class: 'indirect_identifier',
        required: true,
        description: 'Legal sex; parity of the third individual digit.',
      },
      {
        name: 'municipality',
        type: 'code',
        codeList: 'municipality',
        label: 'Municipality of residence',
        class: 'indirect_identifier',
        required: true,
        description: 'Municipality number on 1 January of the latest year.',
      },
      { name: 'death_date', type: 'date', label: 'Date of death', class: 'indirect_identifier', description: 'Empty while the person is alive.' },
    ],
  },
  {
    name: 'patient_episodes',
    title: 'Norwegian Patient Registry (NPR-like): specialist health care episodes',
    description: 'One row per inpatient stay, day treatment or outpatient consultation in specialist health care, coded with ICD-10.',
    dataController: 'Norwegian Directorate of Health (Helsedirektoratet)',
    updateFrequency: 'monthly',
    keywords: ['hospital', 'specialist health care', 'diagnosis', 'ICD-10', 'NPR'],
    accessConditions: 'restricted: permit from the access administrator',
    identifier: 'urn:analyserom:dataset:patient_episodes',
    personVariable: 'fnr',
    periodVariable: 'admission_date',
    coverage: EVENT_COVERAGE,
    variables: [
      fnr,
      { name: 'episode_id', type: 'integer', label: 'Episode number', class: 'ordinary', required: true, description: 'Unique within the register.' },
      { name: 'admission_date', type: 'date', label: 'Date of admission or consultation', class: 'ordinary', required: true },
      { name: 'discharge_date', type: 'date', label: 'Date of discharge', class: 'ordinary', required: true },
      { name: 'health_trust', type: 'code', codeList: 'health_trust', label: 'Health trust', class: 'ordinary', required: true },
      { name: 'care_level', type: 'code', codeList: 'care_level', label: 'Level of care', class: 'ordinary', required: true },
      { name: 'main_diagnosis', type: 'code', codeList: 'icd10', label: 'Main diagnosis (ICD-10)', class: 'ordinary', required: true },
      { name: 'secondary_diagnosis', type: 'code', codeList: 'icd10', label: 'Secondary diagnosis (ICD-10)', class: 'ordinary' },
      { name: 'length_of_stay', type: 'integer', label: 'Length of stay', unit: 'days', class: 'ordinary', required: true },
    ],
  },
  {
    name: 'prescriptions',
    title: 'Norwegian Prescription Database (Reseptregisteret-like)',
    description: 'One row per dispensing of a prescribed drug at a pharmacy, coded with ATC.',
    dataController: 'Norwegian Institute of Public Health (FHI)',
    updateFrequency: 'monthly',
    keywords: ['drugs', 'medicines', 'pharmacy', 'ATC', 'prescription'],
    accessConditions: 'restricted: permit from the access administrator',
    identifier: 'urn:analyserom:dataset:prescriptions',
    personVariable: 'fnr',
    periodVariable: 'dispense_date',
    coverage: EVENT_COVERAGE,
    variables: [
      fnr,
      { name: 'dispense_date', type: 'date', label: 'Date of dispensing', class: 'ordinary', required: true },
      { name: 'atc_code', type: 'code', codeList: 'atc', label: 'Drug (ATC code)', class: 'ordinary', required: true },
      { name: 'ddd', type: 'decimal', label: 'Defined daily doses dispensed', unit: 'DDD', class: 'ordinary', required: true },
      { name: 'packages', type: 'integer', label: 'Number of packages', unit: 'packages', class: 'ordinary', required: true },
    ],
  },
  {
    name: 'cause_of_death',
    title: 'Cause of Death Registry (Dødsårsaksregisteret-like)',
    description: 'One row per death of a person resident in Norway, with the underlying cause coded with ICD-10.',
    dataController: 'Norwegian Institute of Public Health (FHI)',
    updateFrequency: 'yearly',
    keywords: ['mortality', 'death', 'cause of death', 'ICD-10'],
    accessConditions: 'restricted: permit from the access administrator',
    identifier: 'urn:analyserom:dataset:cause_of_death',
    personVariable: 'fnr',
    periodVariable: 'death_date',
    coverage: EVENT_COVERAGE,
    variables: [
      fnr,
      { name: 'death_date', type: 'date', label: 'Date of death', class: 'indirect_identifier', required: true },
      { name: 'underlying_cause', type: 'code', codeList: 'icd10', label: 'Underlying cause of death (ICD-10)', class: 'ordinary', required: true },
      { name: 'place_of_death', type: 'code', codeList: 'place_of_death', label: 'Place of death', class: 'ordinary', required: true },
      { name: 'autopsy', type: 'boolean', label: 'Autopsy performed', class: 'ordinary' },
    ],
  },
  {
    name: 'cancer',
    title: 'Cancer Registry of Norway (Kreftregisteret-like): incident cancers',
    description: 'One row per new malignant tumour, with site (ICD-10), stage and basis for diagnosis.',
    dataController: 'Norwegian Institute of Public Health (FHI), Cancer Registry',
    updateFrequency: 'quarterly',
    keywords: ['cancer', 'oncology', 'tumour', 'incidence', 'ICD-10'],
    accessConditions: 'restricted: permit from the access administrator',
    identifier: 'urn:analyserom:dataset:cancer',
    personVariable: 'fnr',
    periodVariable: 'diagnosis_date',
    coverage: EVENT_COVERAGE,
    variables: [
      fnr,
      { name: 'diagnosis_date', type: 'date', label: 'Date of diagnosis', class: 'ordinary', required: true },
      { name: 'site', type: 'code', codeList: 'icd10', label: 'Tumour site (ICD-10)', class: 'ordinary', required: true },
      { name: 'stage', type: 'code', codeList: 'cancer_stage', label: 'Stage at diagnosis', class: 'ordinary', required: true },
      { name: 'basis', type: 'code', codeList: 'cancer_basis', label: 'Basis for diagnosis', class: 'ordinary', required: true },
      { name: 'tumour_size', type: 'integer', label: 'Largest tumour diameter', unit: 'mm', class: 'ordinary' },
    ],
  },
] as const;

export const DEMO_DATASETS: Dataset[] = RAW.map((d) => DatasetSchema.parse(d));

/** The demo catalogue (without versions: versions appear as deliveries pass intake). */
export function demoCatalogue(): Catalogue {
  return { datasets: structuredClone(DEMO_DATASETS), codeLists: structuredClone(DEMO_CODE_LISTS) };
}

export const DEMO_DATASET_NAMES = DEMO_DATASETS.map((d) => d.name);
