"""Renderers: answer-key LaTeX (Jinja2), answers.json, and the PDF build."""
