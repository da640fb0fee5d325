package verdict

import (
	"slices"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
)

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
	// Cascades is set on containers whose delete deletes everything
	// inside them, objects Terraform does not manage included: they are
	// judged like data for recoverability and for AI-originated changes.
	Cascades bool `yaml:"cascades,omitempty" json:"cascades,omitempty"`
}

// Kinds whose loss the verdict explains in its own words.
const (
	kindKey          = "encryption key"
	kindRepository   = "repository"
	kindLoadBalancer = "load balancer"
	kindCRD          = "custom resource definition"
)

// Catalogue maps a resource type to its class. The built-in one covers the
// main providers; a policy file can extend or trim it.
type Catalogue map[string]Entry

func db(kind string) Entry        { return Entry{Class: DataBearing, Kind: kind} }
func root(kind string) Entry      { return Entry{Class: EnvironmentRoot, Kind: kind} }
func cascading(kind string) Entry { return Entry{Class: EnvironmentRoot, Kind: kind, Cascades: true} }

// manifestTypes are the generic manifest resources, catalogued by the kind
// of object they hold: "kubernetes_manifest/Namespace".
var manifestTypes = []string{"kubernetes_manifest", "kubectl_manifest"}

// manifestKinds are the object kinds a generic manifest is catalogued by.
// Other kinds stay uncatalogued.
var manifestKinds = map[string]Entry{
	"Namespace":                cascading("namespace"),
	"CustomResourceDefinition": cascading(kindCRD),
	"PersistentVolumeClaim":    db("persistent volume claim"),
	"PersistentVolume":         db("persistent volume"),
	"StatefulSet":              db("stateful set"),
	"Secret":                   db("secret store"),
}

// DefaultCatalogue returns the built-in catalogue. Each call returns a new
// map, so a caller may change it.
func DefaultCatalogue() Catalogue {
	c := Catalogue{
		// AWS: data.
		"aws_db_instance":                     db("database"),
		"aws_rds_cluster":                     db("database cluster"),
		"aws_rds_cluster_instance":            db("database"),
		"aws_rds_global_cluster":              db("database cluster"),
		"aws_docdb_cluster":                   db("database cluster"),
		"aws_neptune_cluster":                 db("database cluster"),
		"aws_redshift_cluster":                db("data warehouse"),
		"aws_dynamodb_table":                  db("table"),
		"aws_dynamodb_global_table":           db("table"),
		"aws_s3_bucket":                       db("bucket"),
		"aws_s3_object":                       db("object"),
		"aws_ebs_volume":                      db("volume"),
		"aws_ebs_snapshot":                    db("snapshot"),
		"aws_db_snapshot":                     db("snapshot"),
		"aws_db_cluster_snapshot":             db("snapshot"),
		"aws_s3_directory_bucket":             db("bucket"),
		"aws_dax_cluster":                     db("cache"),
		"aws_elasticache_serverless_cache":    db("cache"),
		"aws_opensearchserverless_collection": db("search index"),
		"aws_redshiftserverless_namespace":    db("data warehouse"),
		"aws_dsql_cluster":                    db("database cluster"),
		"aws_qldb_ledger":                     db("database"),
		"aws_cognito_user_pool":               db("user directory"),
		"aws_codecommit_repository":           db(kindRepository),
		"aws_efs_file_system":                 db("file system"),
		"aws_fsx_lustre_file_system":          db("file system"),
		"aws_fsx_windows_file_system":         db("file system"),
		"aws_fsx_ontap_file_system":           db("file system"),
		"aws_elasticache_cluster":             db("cache"),
		"aws_elasticache_replication_group":   db("cache"),
		"aws_memorydb_cluster":                db("cache"),
		"aws_sqs_queue":                       db("queue"),
		"aws_mq_broker":                       db("queue"),
		"aws_kinesis_stream":                  db("stream"),
		"aws_msk_cluster":                     db("stream"),
		"aws_kms_key":                         db(kindKey),
		"aws_kms_replica_key":                 db(kindKey),
		"aws_secretsmanager_secret":           db("secret store"),
		"aws_opensearch_domain":               db("search index"),
		"aws_elasticsearch_domain":            db("search index"),
		"aws_backup_vault":                    db("backup vault"),
		"aws_glacier_vault":                   db("archive"),
		"aws_timestreamwrite_table":           db("table"),
		"aws_keyspaces_table":                 db("table"),
		"aws_ecr_repository":                  db("image repository"),
		"aws_cloudwatch_log_group":            db("log store"),
		// AWS: environment roots.
		"aws_vpc":                               root("VPC"),
		"aws_subnet":                            root("subnet"),
		"aws_eks_cluster":                       root("cluster"),
		"aws_ecs_cluster":                       root("cluster"),
		"aws_route53_zone":                      root("DNS zone"),
		"aws_organizations_account":             cascading("account"),
		"aws_organizations_organizational_unit": root("organizational unit"),
		"aws_lb":                                root(kindLoadBalancer),
		"aws_alb":                               root(kindLoadBalancer),
		"aws_elb":                               root(kindLoadBalancer),
		"aws_elastic_beanstalk_environment":     root("environment"),
		"aws_transit_gateway":                   root("network"),
		"aws_cloudformation_stack":              cascading("stack"),
		// Google: data.
		"google_sql_database_instance":        db("database"),
		"google_sql_database":                 db("database"),
		"google_spanner_instance":             db("database"),
		"google_spanner_database":             db("database"),
		"google_bigtable_instance":            db("database"),
		"google_bigtable_table":               db("table"),
		"google_bigquery_dataset":             db("data warehouse"),
		"google_bigquery_table":               db("table"),
		"google_storage_bucket":               db("bucket"),
		"google_compute_disk":                 db("volume"),
		"google_compute_region_disk":          db("volume"),
		"google_filestore_instance":           db("file system"),
		"google_redis_instance":               db("cache"),
		"google_memcache_instance":            db("cache"),
		"google_pubsub_topic":                 db("queue"),
		"google_pubsub_subscription":          db("queue"),
		"google_kms_key_ring":                 db("key store"),
		"google_kms_crypto_key":               db(kindKey),
		"google_compute_snapshot":             db("snapshot"),
		"google_artifact_registry_repository": db("image repository"),
		"google_sourcerepo_repository":        db(kindRepository),
		"google_alloydb_instance":             db("database"),
		"google_secret_manager_secret":        db("secret store"),
		"google_firestore_database":           db("database"),
		"google_alloydb_cluster":              db("database cluster"),
		// Google: environment roots.
		"google_project":            cascading("project"),
		"google_folder":             root("folder"),
		"google_compute_network":    root("network"),
		"google_compute_subnetwork": root("subnet"),
		"google_container_cluster":  root("cluster"),
		"google_dns_managed_zone":   root("DNS zone"),
		// Azure: data.
		"azurerm_mssql_server":                               db("database server"),
		"azurerm_mssql_database":                             db("database"),
		"azurerm_sql_server":                                 db("database server"),
		"azurerm_sql_database":                               db("database"),
		"azurerm_postgresql_server":                          db("database server"),
		"azurerm_postgresql_flexible_server":                 db("database server"),
		"azurerm_postgresql_database":                        db("database"),
		"azurerm_mysql_server":                               db("database server"),
		"azurerm_mysql_flexible_server":                      db("database server"),
		"azurerm_cosmosdb_account":                           db("database"),
		"azurerm_storage_account":                            db("storage account"),
		"azurerm_storage_container":                          db("bucket"),
		"azurerm_storage_share":                              db("file system"),
		"azurerm_managed_disk":                               db("volume"),
		"azurerm_redis_cache":                                db("cache"),
		"azurerm_servicebus_namespace":                       db("queue"),
		"azurerm_servicebus_queue":                           db("queue"),
		"azurerm_eventhub_namespace":                         db("stream"),
		"azurerm_eventhub":                                   db("stream"),
		"azurerm_key_vault":                                  db("key store"),
		"azurerm_key_vault_key":                              db(kindKey),
		"azurerm_key_vault_secret":                           db("secret store"),
		"azurerm_key_vault_managed_hardware_security_module": db("key store"),
		"azurerm_mssql_managed_instance":                     db("database server"),
		"azurerm_cosmosdb_sql_database":                      db("database"),
		"azurerm_cosmosdb_sql_container":                     db("table"),
		"azurerm_cosmosdb_mongo_database":                    db("database"),
		"azurerm_container_registry":                         db("image repository"),
		"azurerm_recovery_services_vault":                    db("backup vault"),
		"azurerm_data_protection_backup_vault":               db("backup vault"),
		"azurerm_log_analytics_workspace":                    db("log store"),
		"azurerm_kusto_cluster":                              db("data warehouse"),
		"azurerm_synapse_workspace":                          db("data warehouse"),
		"azurerm_search_service":                             db("search index"),
		"azurerm_data_lake_store":                            db("data lake"),
		// Azure: environment roots.
		"azurerm_resource_group":     cascading("resource group"),
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
		"kubernetes_namespace":                  cascading("namespace"),
		"kubernetes_namespace_v1":               cascading("namespace"),
		// Source code hosts.
		"github_repository":          db(kindRepository),
		"gitlab_project":             db(kindRepository),
		"azuredevops_git_repository": db(kindRepository),
		// Oracle Cloud.
		"oci_database_autonomous_database": db("database"),
		"oci_database_db_system":           db("database"),
		"oci_mysql_mysql_db_system":        db("database"),
		"oci_nosql_table":                  db("table"),
		"oci_objectstorage_bucket":         db("bucket"),
		"oci_core_volume":                  db("volume"),
		"oci_core_boot_volume":             db("volume"),
		"oci_file_storage_file_system":     db("file system"),
		"oci_streaming_stream":             db("stream"),
		"oci_kms_vault":                    db("key store"),
		"oci_kms_key":                      db(kindKey),
		"oci_vault_secret":                 db("secret store"),
		"oci_core_vcn":                     root("network"),
		"oci_core_subnet":                  root("subnet"),
		"oci_containerengine_cluster":      root("cluster"),
		"oci_identity_compartment":         root("compartment"),
		"oci_load_balancer_load_balancer":  root(kindLoadBalancer),
		// Helm: a release can own stateful workloads and their claims.
		"helm_release": root("release"),
		// Docker (observed sandbox changes and the docker provider).
		"docker_volume":  db("volume"),
		"docker_network": root("network"),
	}
	for _, t := range manifestTypes {
		for kind, e := range manifestKinds {
			c[t+"/"+kind] = e
		}
	}
	return c
}

// Lookup returns the catalogued entry for a type: a Terraform type, or a
// CloudFormation or Pulumi type that otherNames ties to one.
func (c Catalogue) Lookup(typ string) (Entry, bool) {
	if e, ok := c[typ]; ok {
		return e, true
	}
	if tf, ok := terraformName()[typ]; ok {
		e, ok := c[tf]
		return e, ok
	}
	return Entry{}, false
}

// Classify returns the catalogued entry for a resource: by its type (see
// Lookup), or
// for a generic manifest (kubernetes_manifest, kubectl_manifest) by the
// kind of object it holds, as "kubernetes_manifest/Namespace". A
// manifest's kind is matched in any case.
func (c Catalogue) Classify(r *change.Resource) (Entry, bool) {
	if e, ok := c.Lookup(r.Type); ok || r.Kind == "" || !slices.Contains(manifestTypes, r.Type) {
		return e, ok
	}
	if e, ok := c[r.Type+"/"+r.Kind]; ok {
		return e, true
	}
	for kind := range manifestKinds {
		if strings.EqualFold(kind, r.Kind) {
			e, ok := c[r.Type+"/"+kind]
			return e, ok
		}
	}
	return Entry{}, false
}
