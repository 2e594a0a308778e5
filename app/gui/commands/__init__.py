"""What the window's actions do: to rows, and the dialogs they open."""
