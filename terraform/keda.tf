# KEDA: the prod overlay scales the specialists on their consumer lag (k8s/overlays/prod/keda.yaml).
resource "helm_release" "keda" {
  count            = var.install_keda ? 1 : 0
  name             = "keda"
  repository       = "https://kedacore.github.io/charts"
  chart            = "keda"
  version          = var.keda_version
  namespace        = "keda"
  create_namespace = true
  atomic           = true
}
