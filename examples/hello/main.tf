# A root module with no cloud provider: porch's quick start deploys it on the embedded local runner.
terraform {
  required_version = ">= 1.6.0"
}

variable "greeting" {
  type        = string
  description = "What to say."
  default     = "Hello"
}

variable "name" {
  type        = string
  description = "Who to greet."
  default     = "platform engineer"
}

resource "terraform_data" "greeting" {
  input = "${var.greeting}, ${var.name}!"
}

output "message" {
  description = "The greeting, as stored in the state."
  value       = terraform_data.greeting.output
}

output "deployed_by" {
  value = "porch"
}
