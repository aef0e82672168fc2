"""Mutation testing of impactkg's core modules (``make mutation``): see mutation/README.md."""
