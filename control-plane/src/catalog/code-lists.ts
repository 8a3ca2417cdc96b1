/**
 * Code lists of the demo catalogue: realistic subsets of ICD-10 (WHO / Norwegian edition),
 * ATC (WHO Collaborating Centre, Oslo), and the small national lists the registers use.
 * The synthetic generator draws only from these lists, so every generated code is in the catalogue.
 */
import type { CodeList } from './model.ts';

const list = (id: string, name: string, version: string, source: string, pairs: [string, string][]): CodeList => ({
  id,
  name,
  version,
  source,
  codes: pairs.map(([code, label]) => ({ code, label })),
});

/** Cancer sites (ICD-10 chapter II, malignant neoplasms). */
const CANCER: [string, string][] = [
  ['C16', 'Malignant neoplasm of stomach'],
  ['C18', 'Malignant neoplasm of colon'],
  ['C20', 'Malignant neoplasm of rectum'],
  ['C25', 'Malignant neoplasm of pancreas'],
  ['C34', 'Malignant neoplasm of bronchus and lung'],
  ['C43', 'Malignant melanoma of skin'],
  ['C50', 'Malignant neoplasm of breast'],
  ['C53', 'Malignant neoplasm of cervix uteri'],
  ['C61', 'Malignant neoplasm of prostate'],
  ['C64', 'Malignant neoplasm of kidney, except renal pelvis'],
  ['C67', 'Malignant neoplasm of bladder'],
  ['C71', 'Malignant neoplasm of brain'],
  ['C73', 'Malignant neoplasm of thyroid gland'],
  ['C83', 'Non-follicular lymphoma'],
  ['C91', 'Lymphoid leukaemia'],
];

export const ICD10: CodeList = list('icd10', 'ICD-10 (subset)', '2024', 'WHO / Norwegian Directorate of e-health', [
  ['A09', 'Other gastroenteritis and colitis of infectious and unspecified origin'],
  ['A41', 'Other sepsis'],
  ['B34', 'Viral infection of unspecified site'],
  ...CANCER,
  ['D50', 'Iron deficiency anaemia'],
  ['E03', 'Other hypothyroidism'],
  ['E10', 'Type 1 diabetes mellitus'],
  ['E11', 'Type 2 diabetes mellitus'],
  ['E66', 'Obesity'],
  ['E78', 'Disorders of lipoprotein metabolism and other lipidaemias'],
  ['F10', 'Mental and behavioural disorders due to use of alcohol'],
  ['F20', 'Schizophrenia'],
  ['F32', 'Depressive episode'],
  ['F33', 'Recurrent depressive disorder'],
  ['F41', 'Other anxiety disorders'],
  ['F90', 'Hyperkinetic disorders'],
  ['G20', 'Parkinson disease'],
  ['G30', 'Alzheimer disease'],
  ['G35', 'Multiple sclerosis'],
  ['G40', 'Epilepsy'],
  ['G43', 'Migraine'],
  ['I10', 'Essential (primary) hypertension'],
  ['I20', 'Angina pectoris'],
  ['I21', 'Acute myocardial infarction'],
  ['I25', 'Chronic ischaemic heart disease'],
  ['I48', 'Atrial fibrillation and flutter'],
  ['I50', 'Heart failure'],
  ['I63', 'Cerebral infarction'],
  ['I64', 'Stroke, not specified as haemorrhage or infarction'],
  ['J06', 'Acute upper respiratory infections of multiple and unspecified sites'],
  ['J18', 'Pneumonia, organism unspecified'],
  ['J44', 'Other chronic obstructive pulmonary disease'],
  ['J45', 'Asthma'],
  ['K29', 'Gastritis and duodenitis'],
  ['K35', 'Acute appendicitis'],
  ['K50', 'Crohn disease [regional enteritis]'],
  ['K51', 'Ulcerative colitis'],
  ['K80', 'Cholelithiasis'],
  ['M16', 'Coxarthrosis [arthrosis of hip]'],
  ['M17', 'Gonarthrosis [arthrosis of knee]'],
  ['M06', 'Other rheumatoid arthritis'],
  ['M54', 'Dorsalgia'],
  ['N18', 'Chronic kidney disease'],
  ['N39', 'Other disorders of urinary system'],
  ['O80', 'Single spontaneous delivery'],
  ['S06', 'Intracranial injury'],
  ['S72', 'Fracture of femur'],
  ['T51', 'Toxic effect of alcohol'],
  ['Z00', 'General examination and investigation of persons without complaint'],
  ['Z51', 'Other medical care'],
]);

export const CANCER_SITES: string[] = CANCER.map(([c]) => c);

/** Underlying causes of death used by the cause-of-death register (a subset of ICD10). */
export const DEATH_CAUSES: string[] = [
  'I21',
  'I25',
  'I50',
  'I63',
  'I64',
  'C34',
  'C18',
  'C50',
  'C61',
  'C25',
  'J44',
  'J18',
  'G30',
  'F10',
  'E11',
  'N18',
  'S06',
  'T51',
  'A41',
];

export const ATC: CodeList = list('atc', 'ATC (subset, level 5)', '2024', 'WHO Collaborating Centre for Drug Statistics Methodology', [
  ['A02BC01', 'omeprazole'],
  ['A02BC05', 'esomeprazole'],
  ['A10AB05', 'insulin aspart'],
  ['A10AE04', 'insulin glargine'],
  ['A10BA02', 'metformin'],
  ['A10BJ02', 'liraglutide'],
  ['A10BK01', 'dapagliflozin'],
  ['B01AC06', 'acetylsalicylic acid'],
  ['B01AF01', 'rivaroxaban'],
  ['B01AF02', 'apixaban'],
  ['C03CA01', 'furosemide'],
  ['C07AB02', 'metoprolol'],
  ['C08CA01', 'amlodipine'],
  ['C09AA05', 'ramipril'],
  ['C09CA01', 'losartan'],
  ['C10AA01', 'simvastatin'],
  ['C10AA05', 'atorvastatin'],
  ['H03AA01', 'levothyroxine sodium'],
  ['J01CA04', 'amoxicillin'],
  ['J01CE02', 'phenoxymethylpenicillin'],
  ['J01XE01', 'nitrofurantoin'],
  ['L04AB02', 'infliximab'],
  ['M01AE01', 'ibuprofen'],
  ['N02AA01', 'morphine'],
  ['N02AJ06', 'codeine and paracetamol'],
  ['N02BE01', 'paracetamol'],
  ['N03AX09', 'lamotrigine'],
  ['N05AH03', 'olanzapine'],
  ['N05BA01', 'diazepam'],
  ['N05CF01', 'zopiclone'],
  ['N06AB04', 'citalopram'],
  ['N06AB06', 'sertraline'],
  ['N06AX11', 'mirtazapine'],
  ['N06BA04', 'methylphenidate'],
  ['N06DA02', 'donepezil'],
  ['R03AC02', 'salbutamol'],
  ['R03AK06', 'salmeterol and fluticasone'],
  ['R06AE07', 'cetirizine'],
]);

export const SEX: CodeList = list('sex', 'Sex (Folkeregisteret)', '2017', 'Norwegian Tax Administration', [
  ['1', 'male'],
  ['2', 'female'],
]);

export const MUNICIPALITY: CodeList = list('municipality', 'Municipality number (subset)', '2024', 'Statistics Norway (SSB)', [
  ['0301', 'Oslo'],
  ['1103', 'Stavanger'],
  ['4601', 'Bergen'],
  ['5001', 'Trondheim'],
  ['5501', 'Tromsø'],
  ['3301', 'Drammen'],
  ['4204', 'Kristiansand'],
  ['3107', 'Fredrikstad'],
  ['3205', 'Lillestrøm'],
  ['1108', 'Sandnes'],
  ['3907', 'Sandefjord'],
  ['1506', 'Ålesund'],
  ['1804', 'Bodø'],
  ['3403', 'Hamar'],
  ['5601', 'Alta'],
]);

export const HEALTH_TRUST: CodeList = list('health_trust', 'Health trust (helseforetak, subset)', '2024', 'Norwegian Directorate of Health', [
  ['OUS', 'Oslo universitetssykehus HF'],
  ['AHUS', 'Akershus universitetssykehus HF'],
  ['VV', 'Vestre Viken HF'],
  ['HBE', 'Helse Bergen HF'],
  ['HST', 'Helse Stavanger HF'],
  ['STO', 'St. Olavs hospital HF'],
  ['UNN', 'Universitetssykehuset Nord-Norge HF'],
  ['SSHF', 'Sørlandet sykehus HF'],
]);

export const CARE_LEVEL: CodeList = list('care_level', 'Level of care (omsorgsnivå)', '2024', 'Norwegian Directorate of Health', [
  ['1', 'inpatient'],
  ['2', 'day treatment'],
  ['3', 'outpatient'],
]);

export const PLACE_OF_DEATH: CodeList = list('place_of_death', 'Place of death', '2024', 'Norwegian Institute of Public Health', [
  ['1', 'hospital'],
  ['2', 'nursing home'],
  ['3', 'home'],
  ['4', 'other place'],
]);

export const CANCER_STAGE: CodeList = list('cancer_stage', 'Stage at diagnosis (Cancer Registry)', '2024', 'Cancer Registry of Norway', [
  ['0', 'localised'],
  ['1', 'regional spread'],
  ['2', 'distant metastasis'],
  ['9', 'unknown'],
]);

export const CANCER_BASIS: CodeList = list('cancer_basis', 'Basis for diagnosis', '2024', 'Cancer Registry of Norway', [
  ['22', 'clinical examination'],
  ['32', 'imaging'],
  ['60', 'cytology'],
  ['72', 'histology of primary tumour'],
]);

export const DEMO_CODE_LISTS: CodeList[] = [ICD10, ATC, SEX, MUNICIPALITY, HEALTH_TRUST, CARE_LEVEL, PLACE_OF_DEATH, CANCER_STAGE, CANCER_BASIS];

export const codesOf = (l: CodeList): string[] => l.codes.map((c) => c.code);
