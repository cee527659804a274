# frozen_string_literal: true

# Loaded by `rspec --require` when the local cluster runs the verify specs with Serverspec
# (kitchen runs the same files with InSpec, which needs none of this).
require 'serverspec'

set :backend, :exec
