# EKS Pod Identity for the triage agent: its service account (k8s/base/agents/triage.yaml) gets
# a role that may read one item at a time from the customers table, and nothing else. The other
# agents have no AWS role.

resource "aws_eks_addon" "pod_identity_agent" {
  count        = var.install_pod_identity_agent ? 1 : 0
  cluster_name = data.aws_eks_cluster.this.name
  addon_name   = "eks-pod-identity-agent"
}

data "aws_iam_policy_document" "pod_identity_trust" {
  statement {
    sid     = "EksPodIdentity"
    effect  = "Allow"
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "triage" {
  name               = "${var.cluster_name}-support-agents-triage"
  description        = "support-agents triage agent (EKS Pod Identity): read customer records"
  assume_role_policy = data.aws_iam_policy_document.pod_identity_trust.json
}

data "aws_iam_policy_document" "triage_customers_read" {
  statement {
    sid       = "ReadCustomerRecords"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem"]
    resources = [aws_dynamodb_table.customers.arn]
  }
}

resource "aws_iam_role_policy" "triage_customers_read" {
  name   = "customers-read"
  role   = aws_iam_role.triage.id
  policy = data.aws_iam_policy_document.triage_customers_read.json
}

resource "aws_eks_pod_identity_association" "triage" {
  cluster_name    = data.aws_eks_cluster.this.name
  namespace       = var.namespace
  service_account = var.triage_service_account
  role_arn        = aws_iam_role.triage.arn

  depends_on = [aws_eks_addon.pod_identity_agent]
}
