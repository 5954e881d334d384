"""rapport's Textual app: wiring in app.py, one module per screen in screens/."""
