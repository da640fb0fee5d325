package verdict

import "sync"

// otherNames ties CloudFormation resource types and Pulumi type tokens to
// the Terraform type whose catalogue entry they share: one table, so a
// policy that adds, trims or reclassifies the Terraform type does so for
// every tool. Each row is a Terraform type and its names in the other
// tools.
var otherNames = map[string][]string{
	// AWS: data.
	"aws_db_instance":                   {"AWS::RDS::DBInstance", "aws:rds/instance:Instance"},
	"aws_rds_cluster":                   {"AWS::RDS::DBCluster", "aws:rds/cluster:Cluster"},
	"aws_rds_cluster_instance":          {"aws:rds/clusterInstance:ClusterInstance"},
	"aws_rds_global_cluster":            {"AWS::RDS::GlobalCluster", "aws:rds/globalCluster:GlobalCluster"},
	"aws_docdb_cluster":                 {"AWS::DocDB::DBCluster", "aws:docdb/cluster:Cluster"},
	"aws_neptune_cluster":               {"AWS::Neptune::DBCluster", "aws:neptune/cluster:Cluster"},
	"aws_redshift_cluster":              {"AWS::Redshift::Cluster", "aws:redshift/cluster:Cluster"},
	"aws_dynamodb_table":                {"AWS::DynamoDB::Table", "aws:dynamodb/table:Table"},
	"aws_dynamodb_global_table":         {"AWS::DynamoDB::GlobalTable", "aws:dynamodb/globalTable:GlobalTable"},
	"aws_s3_bucket":                     {"AWS::S3::Bucket", "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"},
	"aws_s3_directory_bucket":           {"AWS::S3Express::DirectoryBucket", "aws:s3/directoryBucket:DirectoryBucket"},
	"aws_ebs_volume":                    {"AWS::EC2::Volume", "aws:ebs/volume:Volume"},
	"aws_efs_file_system":               {"AWS::EFS::FileSystem", "aws:efs/fileSystem:FileSystem"},
	"aws_fsx_lustre_file_system":        {"AWS::FSx::FileSystem", "aws:fsx/lustreFileSystem:LustreFileSystem"},
	"aws_fsx_windows_file_system":       {"aws:fsx/windowsFileSystem:WindowsFileSystem"},
	"aws_fsx_ontap_file_system":         {"aws:fsx/ontapFileSystem:OntapFileSystem"},
	"aws_elasticache_cluster":           {"AWS::ElastiCache::CacheCluster", "aws:elasticache/cluster:Cluster"},
	"aws_elasticache_replication_group": {"AWS::ElastiCache::ReplicationGroup", "aws:elasticache/replicationGroup:ReplicationGroup"},
	"aws_elasticache_serverless_cache":  {"AWS::ElastiCache::ServerlessCache", "aws:elasticache/serverlessCache:ServerlessCache"},
	"aws_memorydb_cluster":              {"AWS::MemoryDB::Cluster", "aws:memorydb/cluster:Cluster"},
	"aws_dax_cluster":                   {"AWS::DAX::Cluster", "aws:dax/cluster:Cluster"},
	"aws_sqs_queue":                     {"AWS::SQS::Queue", "aws:sqs/queue:Queue"},
	"aws_mq_broker":                     {"AWS::AmazonMQ::Broker", "aws:mq/broker:Broker"},
	"aws_kinesis_stream":                {"AWS::Kinesis::Stream", "aws:kinesis/stream:Stream"},
	"aws_msk_cluster":                   {"AWS::MSK::Cluster", "aws:msk/cluster:Cluster"},
	"aws_kms_key":                       {"AWS::KMS::Key", "aws:kms/key:Key"},
	"aws_kms_replica_key":               {"AWS::KMS::ReplicaKey", "aws:kms/replicaKey:ReplicaKey"},
	"aws_secretsmanager_secret":         {"AWS::SecretsManager::Secret", "aws:secretsmanager/secret:Secret"},
	"aws_opensearch_domain":             {"AWS::OpenSearchService::Domain", "aws:opensearch/domain:Domain"},
	"aws_elasticsearch_domain":          {"AWS::Elasticsearch::Domain", "aws:elasticsearch/domain:Domain"},
	"aws_backup_vault":                  {"AWS::Backup::BackupVault", "aws:backup/vault:Vault"},
	"aws_ecr_repository":                {"AWS::ECR::Repository", "aws:ecr/repository:Repository"},
	"aws_cloudwatch_log_group":          {"AWS::Logs::LogGroup", "aws:cloudwatch/logGroup:LogGroup"},
	"aws_cognito_user_pool":             {"AWS::Cognito::UserPool", "aws:cognito/userPool:UserPool"},
	"aws_codecommit_repository":         {"AWS::CodeCommit::Repository", "aws:codecommit/repository:Repository"},
	"aws_qldb_ledger":                   {"AWS::QLDB::Ledger", "aws:qldb/ledger:Ledger"},
	"aws_timestreamwrite_table":         {"AWS::Timestream::Table", "aws:timestreamwrite/table:Table"},
	"aws_keyspaces_table":               {"AWS::Cassandra::Table", "aws:keyspaces/table:Table"},
	"aws_db_snapshot":                   {"aws:rds/snapshot:Snapshot"},
	// AWS: environment roots.
	"aws_vpc":                               {"AWS::EC2::VPC", "aws:ec2/vpc:Vpc"},
	"aws_subnet":                            {"AWS::EC2::Subnet", "aws:ec2/subnet:Subnet"},
	"aws_eks_cluster":                       {"AWS::EKS::Cluster", "aws:eks/cluster:Cluster"},
	"aws_ecs_cluster":                       {"AWS::ECS::Cluster", "aws:ecs/cluster:Cluster"},
	"aws_route53_zone":                      {"AWS::Route53::HostedZone", "aws:route53/zone:Zone"},
	"aws_organizations_account":             {"AWS::Organizations::Account", "aws:organizations/account:Account"},
	"aws_organizations_organizational_unit": {"AWS::Organizations::OrganizationalUnit", "aws:organizations/organizationalUnit:OrganizationalUnit"},
	"aws_lb":                                {"AWS::ElasticLoadBalancingV2::LoadBalancer", "aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"},
	"aws_elb":                               {"AWS::ElasticLoadBalancing::LoadBalancer", "aws:elb/loadBalancer:LoadBalancer"},
	"aws_elastic_beanstalk_environment":     {"AWS::ElasticBeanstalk::Environment", "aws:elasticbeanstalk/environment:Environment"},
	"aws_transit_gateway":                   {"AWS::EC2::TransitGateway", "aws:ec2transitgateway/transitGateway:TransitGateway"},
	"aws_cloudformation_stack":              {"AWS::CloudFormation::Stack", "aws:cloudformation/stack:Stack"},
	// Google.
	"google_sql_database_instance":        {"gcp:sql/databaseInstance:DatabaseInstance"},
	"google_sql_database":                 {"gcp:sql/database:Database"},
	"google_spanner_instance":             {"gcp:spanner/instance:Instance"},
	"google_spanner_database":             {"gcp:spanner/database:Database"},
	"google_bigtable_instance":            {"gcp:bigtable/instance:Instance"},
	"google_bigquery_dataset":             {"gcp:bigquery/dataset:Dataset"},
	"google_bigquery_table":               {"gcp:bigquery/table:Table"},
	"google_storage_bucket":               {"gcp:storage/bucket:Bucket"},
	"google_compute_disk":                 {"gcp:compute/disk:Disk"},
	"google_filestore_instance":           {"gcp:filestore/instance:Instance"},
	"google_redis_instance":               {"gcp:redis/instance:Instance"},
	"google_pubsub_topic":                 {"gcp:pubsub/topic:Topic"},
	"google_pubsub_subscription":          {"gcp:pubsub/subscription:Subscription"},
	"google_kms_key_ring":                 {"gcp:kms/keyRing:KeyRing"},
	"google_kms_crypto_key":               {"gcp:kms/cryptoKey:CryptoKey"},
	"google_artifact_registry_repository": {"gcp:artifactregistry/repository:Repository"},
	"google_secret_manager_secret":        {"gcp:secretmanager/secret:Secret"},
	"google_firestore_database":           {"gcp:firestore/database:Database"},
	"google_alloydb_cluster":              {"gcp:alloydb/cluster:Cluster"},
	"google_project":                      {"gcp:organizations/project:Project"},
	"google_folder":                       {"gcp:organizations/folder:Folder"},
	"google_compute_network":              {"gcp:compute/network:Network"},
	"google_compute_subnetwork":           {"gcp:compute/subnetwork:Subnetwork"},
	"google_container_cluster":            {"gcp:container/cluster:Cluster"},
	"google_dns_managed_zone":             {"gcp:dns/managedZone:ManagedZone"},
	// Azure: the classic provider's tokens and azure-native's.
	"azurerm_mssql_server":               {"azure:mssql/server:Server", "azure-native:sql:Server"},
	"azurerm_mssql_database":             {"azure:mssql/database:Database", "azure-native:sql:Database"},
	"azurerm_postgresql_flexible_server": {"azure:postgresql/flexibleServer:FlexibleServer", "azure-native:dbforpostgresql:FlexibleServer", "azure-native:dbforpostgresql:Server"},
	"azurerm_mysql_flexible_server":      {"azure:mysql/flexibleServer:FlexibleServer", "azure-native:dbformysql:FlexibleServer", "azure-native:dbformysql:Server"},
	"azurerm_cosmosdb_account":           {"azure:cosmosdb/account:Account", "azure-native:documentdb:DatabaseAccount"},
	"azurerm_storage_account":            {"azure:storage/account:Account", "azure-native:storage:StorageAccount"},
	"azurerm_storage_container":          {"azure:storage/container:Container", "azure-native:storage:BlobContainer"},
	"azurerm_storage_share":              {"azure:storage/share:Share", "azure-native:storage:FileShare"},
	"azurerm_managed_disk":               {"azure:compute/managedDisk:ManagedDisk", "azure-native:compute:Disk"},
	"azurerm_redis_cache":                {"azure:redis/cache:Cache", "azure-native:cache:Redis"},
	"azurerm_servicebus_namespace":       {"azure:servicebus/namespace:Namespace", "azure-native:servicebus:Namespace"},
	"azurerm_eventhub_namespace":         {"azure:eventhub/eventHubNamespace:EventHubNamespace", "azure-native:eventhub:Namespace"},
	"azurerm_key_vault":                  {"azure:keyvault/keyVault:KeyVault", "azure-native:keyvault:Vault"},
	"azurerm_key_vault_key":              {"azure:keyvault/key:Key", "azure-native:keyvault:Key"},
	"azurerm_key_vault_secret":           {"azure:keyvault/secret:Secret", "azure-native:keyvault:Secret"},
	"azurerm_container_registry":         {"azure:containerservice/registry:Registry", "azure-native:containerregistry:Registry"},
	"azurerm_log_analytics_workspace":    {"azure:operationalinsights/analyticsWorkspace:AnalyticsWorkspace", "azure-native:operationalinsights:Workspace"},
	"azurerm_resource_group":             {"azure:core/resourceGroup:ResourceGroup", "azure-native:resources:ResourceGroup"},
	"azurerm_virtual_network":            {"azure:network/virtualNetwork:VirtualNetwork", "azure-native:network:VirtualNetwork"},
	"azurerm_subnet":                     {"azure:network/subnet:Subnet", "azure-native:network:Subnet"},
	"azurerm_kubernetes_cluster":         {"azure:containerservice/kubernetesCluster:KubernetesCluster", "azure-native:containerservice:ManagedCluster"},
	"azurerm_dns_zone":                   {"azure:dns/zone:Zone", "azure-native:network:Zone"},
	// Kubernetes.
	"kubernetes_namespace_v1":                      {"kubernetes:core/v1:Namespace"},
	"kubernetes_persistent_volume_claim_v1":        {"kubernetes:core/v1:PersistentVolumeClaim"},
	"kubernetes_persistent_volume_v1":              {"kubernetes:core/v1:PersistentVolume"},
	"kubernetes_stateful_set_v1":                   {"kubernetes:apps/v1:StatefulSet"},
	"kubernetes_secret_v1":                         {"kubernetes:core/v1:Secret"},
	"kubernetes_manifest/CustomResourceDefinition": {"kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"},
	"helm_release":                                 {"kubernetes:helm.sh/v3:Release"},
	"docker_volume":                                {"docker:index/volume:Volume"},
	"docker_network":                               {"docker:index/network:Network"},
	"github_repository":                            {"github:index/repository:Repository"},
}

// terraformName is otherNames turned around: a CloudFormation or Pulumi
// type → its Terraform type, made on first use.
var terraformName = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for tf, names := range otherNames {
		for _, n := range names {
			if prev, dup := m[n]; dup {
				panic("verdict: " + n + " is the name of both " + prev + " and " + tf)
			}
			m[n] = tf
		}
	}
	return m
})
