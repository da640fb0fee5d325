package verdict

// Class is what kind of resource a type is, for the verdict.
type Class string

// Classes of resource. DataBearing types hold data that a delete loses;
// EnvironmentRoot types hold an environment together (its network, cluster,
// namespace, account-level container), so a delete takes the environment.
const (
	DataBearing     Class = "data-bearing"
	EnvironmentRoot Class = "environment-root"
)

// Entry is one catalogued type.
type Entry struct {
	Class Class  `yaml:"class" json:"class"`
	Kind  string `yaml:"kind" json:"kind"` // e.g. "database", "bucket"
}

// Catalogue maps a resource type to its class. The built-in one covers the
// main providers; a policy file can extend or trim it.
type Catalogue map[string]Entry

func db(kind string) Entry   { return Entry{Class: DataBearing, Kind: kind} }
func root(kind string) Entry { return Entry{Class: EnvironmentRoot, Kind: kind} }

// DefaultCatalogue returns the built-in catalogue. Each call returns a new
// map, so a caller may change it.
func DefaultCatalogue() Catalogue {
	return Catalogue{
		// AWS: data.
		"aws_db_instance":                   db("database"),
		"aws_rds_cluster":                   db("database cluster"),
		"aws_rds_cluster_instance":          db("database"),
		"aws_rds_global_cluster":            db("database cluster"),
		"aws_docdb_cluster":                 db("database cluster"),
		"aws_neptune_cluster":               db("database cluster"),
		"aws_redshift_cluster":              db("data warehouse"),
		"aws_dynamodb_table":                db("table"),
		"aws_dynamodb_global_table":         db("table"),
		"aws_s3_bucket":                     db("bucket"),
		"aws_s3_object":                     db("object"),
		"aws_ebs_volume":                    db("volume"),
		"aws_ebs_snapshot":                  db("snapshot"),
		"aws_db_snapshot":                   db("snapshot"),
		"aws_efs_file_system":               db("file system"),
		"aws_fsx_lustre_file_system":        db("file system"),
		"aws_fsx_windows_file_system":       db("file system"),
		"aws_fsx_ontap_file_system":         db("file system"),
		"aws_elasticache_cluster":           db("cache"),
		"aws_elasticache_replication_group": db("cache"),
		"aws_memorydb_cluster":              db("cache"),
		"aws_sqs_queue":                     db("queue"),
		"aws_mq_broker":                     db("queue"),
		"aws_kinesis_stream":                db("stream"),
		"aws_msk_cluster":                   db("stream"),
		"aws_kms_key":                       db("key store"),
		"aws_secretsmanager_secret":         db("secret store"),
		"aws_opensearch_domain":             db("search index"),
		"aws_elasticsearch_domain":          db("search index"),
		"aws_backup_vault":                  db("backup vault"),
		"aws_glacier_vault":                 db("archive"),
		"aws_timestreamwrite_table":         db("table"),
		"aws_keyspaces_table":               db("table"),
		"aws_ecr_repository":                db("image repository"),
		"aws_cloudwatch_log_group":          db("log store"),
		// AWS: environment roots.
		"aws_vpc":                           root("VPC"),
		"aws_subnet":                        root("subnet"),
		"aws_eks_cluster":                   root("cluster"),
		"aws_ecs_cluster":                   root("cluster"),
		"aws_route53_zone":                  root("DNS zone"),
		"aws_organizations_account":         root("account"),
		"aws_elastic_beanstalk_environment": root("environment"),
		"aws_transit_gateway":               root("network"),
		// Google: data.
		"google_sql_database_instance": db("database"),
		"google_sql_database":          db("database"),
		"google_spanner_instance":      db("database"),
		"google_spanner_database":      db("database"),
		"google_bigtable_instance":     db("database"),
		"google_bigtable_table":        db("table"),
		"google_bigquery_dataset":      db("data warehouse"),
		"google_bigquery_table":        db("table"),
		"google_storage_bucket":        db("bucket"),
		"google_compute_disk":          db("volume"),
		"google_compute_region_disk":   db("volume"),
		"google_filestore_instance":    db("file system"),
		"google_redis_instance":        db("cache"),
		"google_memcache_instance":     db("cache"),
		"google_pubsub_topic":          db("queue"),
		"google_pubsub_subscription":   db("queue"),
		"google_kms_key_ring":          db("key store"),
		"google_kms_crypto_key":        db("key store"),
		"google_secret_manager_secret": db("secret store"),
		"google_firestore_database":    db("database"),
		"google_alloydb_cluster":       db("database cluster"),
		// Google: environment roots.
		"google_project":            root("project"),
		"google_folder":             root("folder"),
		"google_compute_network":    root("network"),
		"google_compute_subnetwork": root("subnet"),
		"google_container_cluster":  root("cluster"),
		"google_dns_managed_zone":   root("DNS zone"),
		// Azure: data.
		"azurerm_mssql_server":               db("database server"),
		"azurerm_mssql_database":             db("database"),
		"azurerm_sql_server":                 db("database server"),
		"azurerm_sql_database":               db("database"),
		"azurerm_postgresql_server":          db("database server"),
		"azurerm_postgresql_flexible_server": db("database server"),
		"azurerm_postgresql_database":        db("database"),
		"azurerm_mysql_server":               db("database server"),
		"azurerm_mysql_flexible_server":      db("database server"),
		"azurerm_cosmosdb_account":           db("database"),
		"azurerm_storage_account":            db("storage account"),
		"azurerm_storage_container":          db("bucket"),
		"azurerm_storage_share":              db("file system"),
		"azurerm_managed_disk":               db("volume"),
		"azurerm_redis_cache":                db("cache"),
		"azurerm_servicebus_namespace":       db("queue"),
		"azurerm_servicebus_queue":           db("queue"),
		"azurerm_eventhub_namespace":         db("stream"),
		"azurerm_eventhub":                   db("stream"),
		"azurerm_key_vault":                  db("key store"),
		"azurerm_key_vault_key":              db("key store"),
		"azurerm_data_lake_store":            db("data lake"),
		// Azure: environment roots.
		"azurerm_resource_group":     root("resource group"),
		"azurerm_virtual_network":    root("network"),
		"azurerm_subnet":             root("subnet"),
		"azurerm_kubernetes_cluster": root("cluster"),
		"azurerm_dns_zone":           root("DNS zone"),
		"azurerm_subscription":       root("subscription"),
		// Kubernetes.
		"kubernetes_persistent_volume_claim":    db("persistent volume claim"),
		"kubernetes_persistent_volume_claim_v1": db("persistent volume claim"),
		"kubernetes_persistent_volume":          db("persistent volume"),
		"kubernetes_persistent_volume_v1":       db("persistent volume"),
		"kubernetes_stateful_set":               db("stateful set"),
		"kubernetes_stateful_set_v1":            db("stateful set"),
		"kubernetes_secret":                     db("secret store"),
		"kubernetes_secret_v1":                  db("secret store"),
		"kubernetes_namespace":                  root("namespace"),
		"kubernetes_namespace_v1":               root("namespace"),
		// Helm: a release can own stateful workloads and their claims.
		"helm_release": root("release"),
		// Docker (observed sandbox changes and the docker provider).
		"docker_volume":  db("volume"),
		"docker_network": root("network"),
	}
}

// Lookup returns the catalogued entry for a type.
func (c Catalogue) Lookup(typ string) (Entry, bool) {
	e, ok := c[typ]
	return e, ok
}
