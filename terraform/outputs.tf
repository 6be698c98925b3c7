output "dynamodb_table_name" {
  description = "The agents' DYNAMODB_TABLE."
  value       = aws_dynamodb_table.customers.name
}

output "dynamodb_table_arn" {
  description = "ARN of the customers table."
  value       = aws_dynamodb_table.customers.arn
}

output "triage_role_arn" {
  description = "Role of the triage agent's service account (EKS Pod Identity; for IRSA, its eks.amazonaws.com/role-arn)."
  value       = aws_iam_role.triage.arn
}

output "triage_pod_identity_association_id" {
  description = "The Pod Identity association of the triage service account."
  value       = aws_eks_pod_identity_association.triage.association_id
}

output "kafka_bootstrap_servers" {
  description = "The agents' KAFKA_BOOTSTRAP_SERVERS (scripts/provision.ts passes it to the manifests)."
  value       = "kafka.${var.kafka_dns_domain}:${var.kafka_bootstrap_port}"
}

output "region" {
  description = "The agents' AWS_REGION."
  value       = var.region
}

output "monitoring_namespace" {
  description = "Namespace of kube-prometheus-stack (null when it is not installed)."
  value       = var.install_monitoring ? helm_release.kube_prometheus_stack[0].namespace : null
}

output "keda_namespace" {
  description = "Namespace of KEDA (null when it is not installed)."
  value       = var.install_keda ? helm_release.keda[0].namespace : null
}
