provider "aws" {
  region = var.region

  default_tags {
    tags = var.tags
  }
}

# The EKS cluster exists already (created by eksctl, the console or another configuration);
# this configuration adds what the agents need to it.
data "aws_eks_cluster" "this" {
  name = var.cluster_name
}

data "aws_eks_cluster_auth" "this" {
  name = var.cluster_name
}

provider "helm" {
  kubernetes {
    host                   = data.aws_eks_cluster.this.endpoint
    cluster_ca_certificate = base64decode(data.aws_eks_cluster.this.certificate_authority[0].data)
    token                  = data.aws_eks_cluster_auth.this.token
  }
}
