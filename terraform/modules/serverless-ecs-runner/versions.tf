terraform {
  # 1.3: optional() object attributes and startswith()/endswith(). The tests in tests/*.tftest.hcl
  # need Terraform >= 1.7 or OpenTofu >= 1.8 (mock providers).
  required_version = ">= 1.3.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.81.0 made aws_iam_openid_connect_provider.thumbprint_list optional (AWS trusts the issuer's CA).
      version = ">= 5.81.0, < 7.0.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.0.0, < 4.0.0"
    }
    platform-orchestrator = {
      source  = "humanitec/platform-orchestrator"
      version = "~> 2.0"
    }
  }
}
