"""The deployment drill: deploy/'s files run on one machine and broken one fault at a time."""
