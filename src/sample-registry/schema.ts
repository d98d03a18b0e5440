/**
 * The part of the Quilt registry GraphQL schema that the sample registry serves. Every type, field,
 * argument, default and union member here is written exactly as in the registry's own schema, so a
 * document that validates here validates there too (test/sample-registry/schema.test.ts checks this
 * against the reference copy). Left out on purpose: admin, access counts, stats and facets, search
 * filters and `searchMore*`; a gateway query that reaches for them fails validation loudly (HTTP 400)
 * instead of being answered by a fixture that ignores them.
 */
export const sampleRegistrySdl = /* GraphQL */ `
scalar Datetime
scalar Json
scalar JsonRecord
scalar PackageContentsFlatMap
scalar PackageOrdering

type OperationError {
  message: String!
  name: String!
  context: JsonRecord
}

type InputError {
  path: String
  message: String!
  name: String!
  context: JsonRecord
}

type InvalidInput {
  errors: [InputError!]!
}

type MyRole {
  name: String!
}

type Me {
  name: String!
  email: String!
  isAdmin: Boolean!
  role: MyRole!
  roles: [MyRole!]!
}

type BucketConfig {
  name: String!
  title: String!
  iconUrl: String
  description: String
  overviewUrl: String
  tags: [String!]
  relevanceScore: Int!
  lastIndexed: Datetime
  browsable: Boolean!
  tabulatorTables: [TabulatorTable!]!
}

type TabulatorTable {
  name: String!
  config: String!
}

type PackageDir {
  path: String!
  metadata: JsonRecord
  size: Float!
  children: [PackageEntry!]!
}

type PackageFile {
  path: String!
  metadata: JsonRecord
  size: Float!
  physicalKey: String!
}

union PackageEntry = PackageFile | PackageDir

type PackageWorkflow {
  config: String!
  id: String
}

type PackageRevision {
  hash: String!
  modified: Datetime!
  message: String
  metadata: JsonRecord!
  userMeta: JsonRecord
  workflow: PackageWorkflow
  totalEntries: Int
  totalBytes: Float
  dir(path: String!): PackageDir
  file(path: String!): PackageFile
  contentsFlatMap(max: Int = 1000): PackageContentsFlatMap
}

type PackageRevisionList {
  total: Int!
  page(number: Int = 1, perPage: Int = 10): [PackageRevision!]!
}

type Package {
  bucket: String!
  name: String!
  modified: Datetime!
  revisions: PackageRevisionList!
  revision(hashOrTag: String = "latest"): PackageRevision
}

enum PackageListOrder {
  NAME
  MODIFIED
}

type PackageList {
  total: Int!
  page(number: Int = 1, perPage: Int = 30, order: PackageListOrder = NAME): [Package!]!
}

enum SearchResultOrder {
  BEST_MATCH
  NEWEST
  OLDEST
  LEX_ASC
  LEX_DESC
}

type SearchHitObject {
  id: ID!
  score: Float!
  bucket: String!
  key: String!
  version: String!
  size: Float!
  modified: Datetime!
  deleted: Boolean!
  indexedContent: String
}

type SearchHitPackageMatchLocations {
  name: Boolean!
  comment: Boolean!
  meta: Boolean!
  workflow: Boolean!
}

type SearchHitPackageEntryMatchLocations {
  logicalKey: Boolean!
  physicalKey: Boolean!
  meta: Boolean!
  contents: Boolean!
}

type SearchHitPackageMatchingEntry {
  logicalKey: String!
  physicalKey: String!
  size: Float!
  meta: String
  matchLocations: SearchHitPackageEntryMatchLocations!
}

type SearchHitPackage {
  id: ID!
  score: Float!
  bucket: String!
  name: String!
  pointer: String!
  hash: String!
  size: Float!
  modified: Datetime!
  totalEntriesCount: Int!
  comment: String
  meta: String
  workflow: JsonRecord
  matchLocations: SearchHitPackageMatchLocations!
  matchingEntries: [SearchHitPackageMatchingEntry!]!
}

type PackagesSearchResultSetPage {
  cursor: String
  hits: [SearchHitPackage!]!
}

type ObjectsSearchResultSetPage {
  cursor: String
  hits: [SearchHitObject!]!
}

union PackagesFirstPageResult = PackagesSearchResultSetPage | InvalidInput | OperationError

type PackagesSearchResultSet {
  total: Int!
  firstPage(size: Int = 30, ordering: PackageOrdering): PackagesFirstPageResult!
}

type ObjectsSearchResultSet {
  total: Int!
  firstPage(size: Int = 30, order: SearchResultOrder): ObjectsSearchResultSetPage!
}

type EmptySearchResultSet {
  _: Boolean
}

union PackagesSearchResult = PackagesSearchResultSet | EmptySearchResultSet | InvalidInput | OperationError

union ObjectsSearchResult = ObjectsSearchResultSet | EmptySearchResultSet | InvalidInput | OperationError

type Query {
  me: Me
  bucketConfigs: [BucketConfig!]!
  bucketConfig(name: String!): BucketConfig
  packages(bucket: String!, filter: String): PackageList
  package(bucket: String!, name: String!): Package
  searchObjects(buckets: [String!], searchString: String): ObjectsSearchResult!
  searchPackages(buckets: [String!], searchString: String, latestOnly: Boolean! = false): PackagesSearchResult!
}

input PackagePushParams {
  message: String
  userMeta: JsonRecord
  workflow: String
  bucket: String!
  name: String!
}

input PackageEntryHash {
  type: String!
  value: String!
}

input PackageConstructEntry {
  logicalKey: String!
  physicalKey: String!
  hash: PackageEntryHash
  size: Float
  meta: JsonRecord
}

input PackageConstructSource {
  entries: [PackageConstructEntry!]!
}

type PackagePushSuccess {
  package: Package!
  revision: PackageRevision!
}

type PackageRevisionDeleteSuccess {
  _: Boolean
}

union PackageConstructResult = PackagePushSuccess | InvalidInput | OperationError

input PackagePromoteSource {
  bucket: String!
  name: String!
  hash: String!
}

union PackagePromoteResult = PackagePushSuccess | InvalidInput | OperationError

union PackageRevisionDeleteResult = PackageRevisionDeleteSuccess | OperationError

type Mutation {
  packageConstruct(params: PackagePushParams!, src: PackageConstructSource!): PackageConstructResult!
  packageRevisionDelete(bucket: String!, name: String!, hash: String!): PackageRevisionDeleteResult!
  packagePromote(params: PackagePushParams!, src: PackagePromoteSource!, destPrefix: String): PackagePromoteResult!
}
`
