"""The Tutorial menu: experiments a learner runs, and the tutorial's parts mapped to views."""
