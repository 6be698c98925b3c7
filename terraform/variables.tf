variable "region" {
  description = "AWS region of the EKS cluster and the DynamoDB table."
  type        = string
  default     = "us-east-1"
}

variable "cluster_name" {
  description = "Name of the existing EKS cluster the agents run in."
  type        = string
}

variable "kafka_dns_domain" {
  description = "DNS domain under which the Kafka bootstrap address kafka.<domain> resolves: confluent.svc.cluster.local for Confluent for Kubernetes' internal listener in the namespace confluent, or the domain of its external listener. With MSK, pass the bootstrap brokers to scripts/provision.ts (--kafka-bootstrap) instead."
  type        = string
  default     = "confluent.svc.cluster.local"
}

variable "kafka_bootstrap_port" {
  description = "Port of the Kafka bootstrap address (9071: Confluent for Kubernetes' internal listener; 9092 its external one)."
  type        = number
  default     = 9071
}

variable "table_name" {
  description = "DynamoDB table of customer records (the agents' DYNAMODB_TABLE)."
  type        = string
  default     = "support-customers"
}

variable "namespace" {
  description = "Kubernetes namespace of the agents (k8s/base)."
  type        = string
  default     = "support-agents"
}

variable "triage_service_account" {
  description = "Service account of the triage agent, the only one that reads the customers table."
  type        = string
  default     = "triage"
}

variable "install_pod_identity_agent" {
  description = "Install the EKS Pod Identity Agent add-on (set false when the cluster has it already)."
  type        = bool
  default     = true
}

variable "install_monitoring" {
  description = "Install kube-prometheus-stack (Prometheus, Alertmanager, Grafana) in monitoring_namespace."
  type        = bool
  default     = true
}

variable "monitoring_namespace" {
  description = "Namespace of kube-prometheus-stack (k8s/monitoring is applied there)."
  type        = string
  default     = "monitoring"
}

variable "kube_prometheus_stack_version" {
  description = "Chart version of kube-prometheus-stack."
  type        = string
  default     = "75.15.0"
}

variable "install_keda" {
  description = "Install KEDA, which the prod overlay's ScaledObjects need."
  type        = bool
  default     = true
}

variable "keda_version" {
  description = "Chart version of KEDA."
  type        = string
  default     = "2.17.2"
}

variable "tags" {
  description = "Tags of every AWS resource."
  type        = map(string)
  default = {
    project = "support-agents"
  }
}
