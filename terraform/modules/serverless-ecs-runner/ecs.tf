resource "aws_ecs_cluster" "runner" {
  count = var.existing_ecs_cluster_name == null ? 1 : 0
  name  = "porch-${local.runner_id}"

  setting {
    name  = "containerInsights"
    value = var.container_insights
  }

  configuration {
    execute_command_configuration {
      kms_key_id = var.kms_key_arn
      logging    = "OVERRIDE"
      log_configuration {
        cloud_watch_log_group_name = aws_cloudwatch_log_group.exec[0].name
      }
    }
  }

  tags = local.tags
}

resource "aws_ecs_cluster_capacity_providers" "runner" {
  count        = var.existing_ecs_cluster_name == null ? 1 : 0
  cluster_name = aws_ecs_cluster.runner[0].name

  capacity_providers = var.enable_fargate_spot ? ["FARGATE", "FARGATE_SPOT"] : ["FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}
