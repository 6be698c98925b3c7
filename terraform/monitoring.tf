# Prometheus, Alertmanager and Grafana. Its Prometheus selects every PodMonitor and
# PrometheusRule (k8s/monitoring has the agents'), and Grafana's sidecar loads every ConfigMap
# labelled grafana_dashboard: "1" (the agents' dashboard).
resource "helm_release" "kube_prometheus_stack" {
  count            = var.install_monitoring ? 1 : 0
  name             = "kube-prometheus-stack"
  repository       = "https://prometheus-community.github.io/helm-charts"
  chart            = "kube-prometheus-stack"
  version          = var.kube_prometheus_stack_version
  namespace        = var.monitoring_namespace
  create_namespace = true
  atomic           = true
  timeout          = 900

  values = [yamlencode({
    prometheus = {
      prometheusSpec = {
        podMonitorSelectorNilUsesHelmValues     = false
        serviceMonitorSelectorNilUsesHelmValues = false
        ruleSelectorNilUsesHelmValues           = false
        retention                               = "15d"
      }
    }
    grafana = {
      sidecar = {
        dashboards = {
          enabled          = true
          label            = "grafana_dashboard"
          labelValue       = "1"
          searchNamespace  = "ALL"
          folderAnnotation = "grafana_folder"
          provider = {
            foldersFromFilesStructure = true
          }
        }
      }
    }
  })]
}
