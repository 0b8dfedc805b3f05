// placeholder: written by the rules work
