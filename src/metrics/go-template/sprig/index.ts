/** The Sprig function map (sprig.TxtFuncMap) plus Iter8's toYaml, as canary implements it. */
import type { GoFunction } from '../go-function.js';
import { defaultFunctions } from './defaults.js';
import { dictFunctions } from './dicts.js';
import { encodingFunctions } from './encoding.js';
import { listFunctions } from './lists.js';
import { mathFunctions } from './math.js';
import { reflectionFunctions } from './reflection.js';
import { regexFunctions } from './regex.js';
import { stringFunctions } from './strings.js';

export const sprigFunctions: Record<string, GoFunction> = {
  ...stringFunctions,
  ...listFunctions,
  ...dictFunctions,
  ...mathFunctions,
  ...defaultFunctions,
  ...encodingFunctions,
  ...reflectionFunctions,
  ...regexFunctions,
};

/**
 * Every name in Sprig v3's TxtFuncMap. Templates may name these (Go parses
 * them); the ones canary does not implement are reported when parsing.
 */
export const allSprigFunctionNames: ReadonlySet<string> = new Set(
  (
    'hello ago date date_in_zone date_modify dateInZone dateModify duration durationRound htmlDate ' +
    'htmlDateInZone must_date_modify mustDateModify mustToDate now toDate unixEpoch abbrev abbrevboth trunc ' +
    'trim upper lower title untitle substr repeat trimall trimAll trimSuffix trimPrefix nospace initials ' +
    'randAlphaNum randAlpha randAscii randNumeric swapcase shuffle snakecase camelcase kebabcase wrap wrapWith ' +
    'contains hasPrefix hasSuffix quote squote cat indent nindent replace plural sha1sum sha256sum adler32sum ' +
    'toString atoi int64 int float64 seq toDecimal split splitList splitn toStrings until untilStep add1 add ' +
    'sub div mod mul randInt add1f addf subf divf mulf biggest max min maxf minf ceil floor round join ' +
    'sortAlpha default empty coalesce all any compact mustCompact fromJson toJson toPrettyJson toRawJson ' +
    'mustFromJson mustToJson mustToPrettyJson mustToRawJson ternary deepCopy mustDeepCopy typeOf typeIs ' +
    'typeIsLike kindOf kindIs deepEqual env expandenv getHostByName base dir clean ext isAbs osBase osClean ' +
    'osDir osExt osIsAbs b64enc b64dec b32enc b32dec tuple list dict get set unset hasKey pluck keys pick omit ' +
    'merge mergeOverwrite mustMerge mustMergeOverwrite values append mustAppend prepend mustPrepend first ' +
    'mustFirst rest mustRest last mustLast initial mustInitial reverse mustReverse uniq mustUniq without ' +
    'mustWithout has mustHas slice mustSlice concat dig chunk mustChunk bcrypt htpasswd genPrivateKey ' +
    'derivePassword buildCustomCert genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert ' +
    'genSignedCertWithKey encryptAES decryptAES randBytes uuidv4 semver semverCompare fail regexMatch ' +
    'mustRegexMatch regexFindAll mustRegexFindAll regexFind mustRegexFind regexReplaceAll mustRegexReplaceAll ' +
    'regexReplaceAllLiteral mustRegexReplaceAllLiteral regexSplit mustRegexSplit regexQuoteMeta urlParse urlJoin ' +
    'toYaml'
  ).split(' '),
);
